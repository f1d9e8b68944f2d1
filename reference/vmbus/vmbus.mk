# vmbus.mk - libxswvmbus.a: the synthetic data path of a VM NIC (VMBus,
# NVSP, RNDIS decoders and the NetVSC/NetVSP channel model of
# include/xsw/vmbus.h), its fuzz target and the fuzz seed corpus.
# The Makefile includes this fragment before tests/tests.mk.

VMBUS_SRCS := $(wildcard reference/vmbus/*.c)
VMBUS_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(VMBUS_SRCS))
LIBXSWVMBUS := $(B)/lib/libxswvmbus.a

# Position-independent like libxsw.a, so that the Wireshark plugin or the
# analyzer can link the decoders into a shared object.
$(VMBUS_OBJS): XSW_CFLAGS += -fPIC

$(LIBXSWVMBUS): $(VMBUS_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

all: $(LIBXSWVMBUS)
UNIT_LIBS += $(LIBXSWVMBUS)

# Fuzzing the decoders (fuzz/fuzz_vmbus.c), built and replayed like
# fuzz-trace in lib/lib.mk: `make test` replays fixtures/fuzz/vmbus/ through
# tests/fuzz_replay.sh.
#   make fuzz-vmbus                    build $(B)/fuzz/fuzz_vmbus (clang, libFuzzer)
#   make fuzz-vmbus-run FUZZ_TIME=60   fuzz; crash inputs go to $(B)/fuzz/ (keep them,
#                                      renamed, in fixtures/fuzz/vmbus/)
#   make fuzz-vmbus-corpus             regenerate the seed inputs (fixtures/fuzz/vmbus/seed-*)
#                                      from the packets the channel model emits
FUZZ_VMBUS_SRCS := fuzz/fuzz_vmbus.c $(VMBUS_SRCS) lib/names.c

$(B)/fuzz/fuzz_vmbus: $(FUZZ_VMBUS_SRCS) $(wildcard lib/*.h) $(wildcard reference/vmbus/*.h) include/xsw/vmbus.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib -o $@ $(FUZZ_VMBUS_SRCS)

$(B)/fuzz-replay/fuzz_vmbus: $(B)/obj/fuzz/fuzz_vmbus.o $(LIBXSWVMBUS) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^

$(B)/bin/xsw-vmbus-corpus: $(B)/obj/fuzz/gen_vmbus_corpus.o $(LIBXSWVMBUS) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^

.PHONY: fuzz-vmbus fuzz-vmbus-run fuzz-vmbus-corpus
fuzz-vmbus: $(B)/fuzz/fuzz_vmbus

fuzz-vmbus-run: $(B)/fuzz/fuzz_vmbus
	@mkdir -p $(B)/fuzz/corpus/vmbus
	$< -max_total_time=$(FUZZ_TIME) -max_len=16384 -artifact_prefix=$(B)/fuzz/ \
		$(B)/fuzz/corpus/vmbus fixtures/fuzz/vmbus

fuzz-vmbus-corpus: $(B)/bin/xsw-vmbus-corpus
	rm -f fixtures/fuzz/vmbus/seed-*
	$< fixtures/fuzz/vmbus

all: $(B)/fuzz-replay/fuzz_vmbus $(B)/bin/xsw-vmbus-corpus
UNIT_DEPS += $(B)/fuzz-replay/fuzz_vmbus
