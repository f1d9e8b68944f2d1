# dissectors.mk - the Wireshark 4.0 epan plugin xsw.so: dissectors "xsw",
# "vmbus", "nvsp" and "rndis" (dissectors/README.md), its fixture generator
# and its script tests. Built only when pkg-config finds the wireshark SDK.
#
#   make $(B)/dissectors/xsw.so     the plugin
#   make install-plugin             copy it to ~/.local/lib/wireshark/plugins/4.0/epan/
#   dissectors/tests/regen.sh       regenerate fixtures and golden outputs on purpose

WS_FOUND := $(shell pkg-config --exists wireshark 2>/dev/null && echo yes)

ifeq ($(WS_FOUND),yes)
# The SDK headers are not ours: include them as system headers so that
# -Wextra -Werror applies to our code only.
WS_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags wireshark))
WS_LIBS := $(shell pkg-config --libs wireshark)
WS_PLUGIN_VERSION := $(shell pkg-config --modversion wireshark | cut -d. -f1,2)

DISS_SRCS := $(wildcard dissectors/*.c)
DISS_OBJS := $(patsubst dissectors/%.c,$(B)/dissectors/obj/%.o,$(DISS_SRCS))
DISS_SO := $(B)/dissectors/xsw.so
DISS_MKFIX := $(B)/dissectors/mkfixtures
# The plugin runs inside tshark, which is not built with sanitizers: it is
# compiled without SAN_FLAGS even in SANITIZE=1 builds (README.md, Tests).
DISS_CFLAGS := $(filter-out $(SAN_FLAGS),$(XSW_CFLAGS)) -fPIC -fvisibility=hidden $(WS_CFLAGS)

$(B)/dissectors/obj/%.o: dissectors/%.c
	@mkdir -p $(dir $@)
	$(CC) $(DISS_CFLAGS) -c -o $@ $<

$(DISS_SO): $(DISS_OBJS)
	@mkdir -p $(dir $@)
	$(CC) -shared -fvisibility=hidden -o $@ $(DISS_OBJS) $(WS_LIBS)

# The fixture generator writes traces with the libxsw writer.
$(DISS_MKFIX): dissectors/tests/mkfixtures.c $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_CFLAGS) $(XSW_LDFLAGS) -o $@ $< $(LIBXSW) $(PKG_LIBS_PCAP)

PLUGIN_DIR := $(HOME)/.local/lib/wireshark/plugins/$(WS_PLUGIN_VERSION)/epan

.PHONY: install-plugin
install-plugin: $(DISS_SO)
	mkdir -p $(PLUGIN_DIR)
	install -m 0644 $(DISS_SO) $(PLUGIN_DIR)/xsw.so

all: $(DISS_SO)
UNIT_DEPS += $(DISS_SO) $(DISS_MKFIX)
TEST_SCRIPTS += dissectors/tests/run.sh
endif
