# switch.mk - the reference switch (libxswsw.a) and the xsw-switch tool.
# It is compiled against the NDIS headers because it *is* NDIS for the
# extensions: it implements the NdisF* filter calls and the switch handlers.
SW_SRCS := $(filter-out reference/switch/main.c,$(wildcard reference/switch/*.c))
SW_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(SW_SRCS))
LIBXSWSW := $(B)/lib/libxswsw.a
LIBXSWRT ?= $(B)/lib/libxswrt.a
SW_CFLAGS := -Iinclude/xsw/ndis -Ireference/runtime -Ireference/switch
# Everything a tool that hosts extensions links, in link order.
HARNESS_LIBS := $(LIBXSWSW) $(LIBXSWRT) $(LIBXSW)
HARNESS_LDLIBS := $(PKG_LIBS_PCAP) -ldl -lpthread

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
	$(CC) $(XSW_LDFLAGS) -rdynamic -o $@ $< -Wl,--whole-archive $(LIBXSWSW) $(LIBXSWRT) -Wl,--no-whole-archive \
		$(LIBXSW) $(HARNESS_LDLIBS)

all: $(B)/bin/xsw-switch
UNIT_LIBS += $(LIBXSWSW)
