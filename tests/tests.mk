# tests.mk - `make test`: the CUnit unit runner, then every script test that
# a component registered in TEST_SCRIPTS (each exits non-zero on failure).
#
# Components add: UNIT_SRCS (test_*.c files), UNIT_LIBS (static libraries the
# tests link), UNIT_LDLIBS (system libraries), UNIT_DEPS (things to build
# first, e.g. extension .so files) and TEST_SCRIPTS.

UNIT_SRCS += $(wildcard tests/test_*.c)
UNIT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(UNIT_SRCS) tests/unit_main.c)

$(B)/bin/xsw-unit: $(UNIT_OBJS) $(UNIT_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -rdynamic -o $@ $(UNIT_OBJS) -Wl,--whole-archive $(UNIT_LIBS) -Wl,--no-whole-archive \
		$(UNIT_LDLIBS) $(PKG_LIBS_PCAP) $(PKG_LIBS_YAML) $(PKG_LIBS_CUNIT) -ldl -lpthread

all: $(B)/bin/xsw-unit

test: all $(B)/bin/xsw-unit $(UNIT_DEPS)
	XSW_BUILD=$(B) $(B)/bin/xsw-unit
	@set -e; for t in $(TEST_SCRIPTS); do echo "== $$t"; XSW_BUILD=$(B) CC="$(CC)" SANITIZE=$(SANITIZE) sh $$t; done
