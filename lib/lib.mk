# lib.mk - libxsw.a: the trace format (writer, reader, decoder), the shared
# constant names and byte accessors used by every component.
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
LIBXSW := $(B)/lib/libxsw.a

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(XSW_CFLAGS) -c -o $@ $<

# Position-independent, so that shared objects (the Wireshark plugin, the
# NDIS runtime) can link the library too.
$(LIB_OBJS): XSW_CFLAGS += -fPIC

$(LIBXSW): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

all: $(LIBXSW)
UNIT_LIBS += $(LIBXSW)

# Fuzzing the trace decoder (fuzz/fuzz_trace_decode.c). The libFuzzer build
# needs clang; the replay build uses $(CC) and the normal flags (so it gets
# ASan + UBSan under SANITIZE=1) and `make test` runs it over the seed corpus
# and the saved crash inputs in fixtures/fuzz/trace_decode/ through
# tests/fuzz_replay.sh, which replays every $(B)/fuzz-replay/fuzz_NAME over
# fixtures/fuzz/NAME/.
#   make fuzz-trace                    build $(B)/fuzz/fuzz_trace_decode
#   make fuzz-trace-run FUZZ_TIME=60   fuzz; new inputs go to $(B)/fuzz/corpus/,
#                                      crash inputs to $(B)/fuzz/ (keep them, renamed,
#                                      in fixtures/fuzz/trace_decode/)
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -g -O1 \
	-fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DXSW_LIBFUZZER -Iinclude
FUZZ_TRACE_SRCS := fuzz/fuzz_trace_decode.c lib/trace_decode.c lib/names.c

$(B)/fuzz/fuzz_trace_decode: $(FUZZ_TRACE_SRCS) $(wildcard lib/*.h) include/xsw/trace.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_TRACE_SRCS)

$(B)/fuzz-replay/fuzz_trace_decode: $(B)/obj/fuzz/fuzz_trace_decode.o $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_PCAP)

.PHONY: fuzz-trace fuzz-trace-run
fuzz-trace: $(B)/fuzz/fuzz_trace_decode

fuzz-trace-run: $(B)/fuzz/fuzz_trace_decode
	@mkdir -p $(B)/fuzz/corpus/trace_decode
	$< -max_total_time=$(FUZZ_TIME) -max_len=8192 -artifact_prefix=$(B)/fuzz/ \
		$(B)/fuzz/corpus/trace_decode fixtures/fuzz/trace_decode

all: $(B)/fuzz-replay/fuzz_trace_decode
UNIT_DEPS += $(B)/fuzz-replay/fuzz_trace_decode
TEST_SCRIPTS += tests/fuzz_replay.sh
