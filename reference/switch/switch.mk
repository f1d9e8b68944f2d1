# switch.mk - the reference switch (libxswsw.a) and the xsw-switch tool.
# It is compiled against the NDIS headers because it *is* NDIS for the
# extensions: it implements the NdisF* filter calls and the switch handlers.
SW_SRCS := $(filter-out reference/switch/main.c,$(wildcard reference/switch/*.c))
SW_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(SW_SRCS))
LIBXSWSW := $(B)/lib/libxswsw.a
LIBXSWRT ?= $(B)/lib/libxswrt.a
SW_CFLAGS := -Iinclude/xsw/ndis -Ireference/runtime -Ireference/switch
# Everything a tool that hosts extensions links, in link order.
LIBXSWVMBUS ?= $(B)/lib/libxswvmbus.a
HARNESS_LIBS := $(LIBXSWSW) $(LIBXSWRT) $(LIBXSWVMBUS) $(LIBXSW)
HARNESS_LDLIBS := $(PKG_LIBS_PCAP) -ldl -lpthread
# How a program that hosts extensions links the harness: the switch and the
# runtime whole (every NDIS entry point must be there for dlopen), -rdynamic.
HARNESS_LINK = -rdynamic -Wl,--whole-archive $(LIBXSWSW) $(LIBXSWRT) -Wl,--no-whole-archive $(LIBXSWVMBUS) $(LIBXSW) \
	$(HARNESS_LDLIBS)

$(B)/obj/reference/switch/%.o: reference/switch/%.c
	@mkdir -p $(dir $@)
	$(CC) $(XSW_CFLAGS) $(SW_CFLAGS) -c -o $@ $<

$(LIBXSWSW): $(SW_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# -rdynamic: extensions loaded with dlopen resolve their NDIS imports here.
$(B)/bin/xsw-switch: $(B)/obj/reference/switch/main.o $(HARNESS_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(HARNESS_LINK)

all: $(B)/bin/xsw-switch
UNIT_LIBS += $(LIBXSWSW)

# Scenario recordings (fixtures/scenarios/) stay reproducible and replay cleanly.
TEST_SCRIPTS += tests/recordings.sh
.PHONY: recordings
recordings: $(B)/bin/xsw-switch
	scripts/record-scenarios.sh $(B)
