# reference.mk - the user-mode NDIS runtime (libxswrt.a) and the installation
# of the WDK-compatible NDIS headers. The reference switch has its own
# fragment (reference/switch/switch.mk); the lead engineer extends this one.

# ---- Runtime, kernel-services half + NDIS headers (helper h3) ----------------
# libxswrt.a: reference/runtime/*.c (kernel.c, rtlstring.c, nbl.c and the
# filter half, filter.c). xsw's own C11 flags plus the NDIS header directory.
RT_SRCS := $(wildcard reference/runtime/*.c)
RT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(RT_SRCS))
LIBXSWRT := $(B)/lib/libxswrt.a
RT_CFLAGS := -Iinclude/xsw/ndis -Ireference/runtime

$(B)/obj/reference/runtime/%.o: reference/runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XSW_CFLAGS) $(RT_CFLAGS) -c -o $@ $<

$(LIBXSWRT): $(RT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

all: $(LIBXSWRT)
UNIT_LIBS += $(LIBXSWRT)

# Unit tests of the headers, the runtime and the switch include <ndis.h> and rt.h.
$(B)/obj/tests/%.o: XSW_CFLAGS += $(RT_CFLAGS)

# pkg-config files for vendors building their extension against the headers:
# xsw-ndis.pc for an installed tree (PREFIX), xsw-ndis-uninstalled.pc for this
# source tree (pkg-config prefers it when $(B)/pkgconfig is on PKG_CONFIG_PATH).
# Cflags are NDIS_CFLAGS (never -Werror) with the header directory rewritten;
# regenerated when PREFIX or the flags change.
XSW_VERSION ?= 0.1
XSW_NDIS_PC := $(B)/pkgconfig/xsw-ndis.pc
XSW_NDIS_PC_UNINST := $(B)/pkgconfig/xsw-ndis-uninstalled.pc

# $(1) = prefix, $(2) = the shim generator's path (may use ${prefix}).
define XSW_NDIS_PC_RULE
	@mkdir -p $(dir $@)
	@sed -e 's|@PREFIX@|$(1)|' -e 's|@SHIMTOOL@|$(2)|' -e 's|@VERSION@|$(XSW_VERSION)|' \
		-e 's|@CFLAGS@|$(subst -Iinclude/xsw/ndis,-I$${includedir}/xsw/ndis,$(filter-out -Werror,$(NDIS_CFLAGS)))|' \
		reference/xsw-ndis.pc.in >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; echo "generated $@"; fi
endef

$(XSW_NDIS_PC): reference/xsw-ndis.pc.in FORCE_XSW_NDIS_PC
	$(call XSW_NDIS_PC_RULE,$(PREFIX),$${prefix}/bin/xsw-mssample-shims)

$(XSW_NDIS_PC_UNINST): reference/xsw-ndis.pc.in FORCE_XSW_NDIS_PC
	$(call XSW_NDIS_PC_RULE,$(CURDIR),$${prefix}/scripts/mssample-shims.sh)

.PHONY: FORCE_XSW_NDIS_PC install-ndis
all: $(XSW_NDIS_PC) $(XSW_NDIS_PC_UNINST)

# Headers (with the .def tables they include), the pkg-config file and the
# backslash-include shim generator.
install: install-ndis
install-ndis: $(XSW_NDIS_PC)
	install -d $(DESTDIR)$(PREFIX)/include/xsw/ndis/ndis $(DESTDIR)$(PREFIX)/include/xsw/defs \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/xsw/ndis/*.h $(DESTDIR)$(PREFIX)/include/xsw/ndis/
	install -m 644 include/xsw/ndis/ndis/*.h $(DESTDIR)$(PREFIX)/include/xsw/ndis/ndis/
	install -m 644 include/xsw/defs/*.def $(DESTDIR)$(PREFIX)/include/xsw/defs/
	install -m 644 $(XSW_NDIS_PC) $(DESTDIR)$(PREFIX)/lib/pkgconfig/
	install -m 755 scripts/mssample-shims.sh $(DESTDIR)$(PREFIX)/bin/xsw-mssample-shims
# ---- end of helper h3 block --------------------------------------------------
