# analyzer.mk - xsw-analyze, the offline streaming trace analyzer
# (docs/analyzer.md), its trace generator, its tests and its benchmark.
#
#   make $(B)/bin/xsw-analyze         the analyzer
#   make bench                        bench-analyzer: >= 1 GB trace, records/s and peak memory
#                                     of xsw-analyze, a plain libpcap loop and tshark
#   make fuzz-netvsc                  libFuzzer build of fuzz/fuzz_netvsc_text.c (clang)
#   make fuzz-netvsc-run FUZZ_TIME=60
#   analyzer/tests/regen.sh           rewrite fixtures and golden outputs on purpose
AN_SRCS := analyzer/common.c analyzer/nvsp.c analyzer/nvtext.c analyzer/stats.c analyzer/run.c \
	analyzer/textrun.c analyzer/output.c
AN_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(AN_SRCS))
LIBXSWAN := $(B)/lib/libxswanalyze.a
XSW_ANALYZE := $(B)/bin/xsw-analyze
AN_GEN := $(B)/bin/xsw-an-gen
AN_PCAPLOOP := $(B)/bin/xsw-pcaploop
AN_BENCHRUN := $(B)/bin/xsw-benchrun

$(B)/obj/analyzer/main.o: XSW_CFLAGS += -DXSW_DEFAULT_SPEC_DIR='"$(abspath suite/specs)"'
$(B)/obj/tests/test_analyze.o $(B)/obj/fuzz/fuzz_netvsc_text.o: XSW_CFLAGS += -Ianalyzer

$(LIBXSWAN): $(AN_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(XSW_ANALYZE): $(B)/obj/analyzer/main.o $(LIBXSWAN) $(LIBXSWCHECK) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(LIBXSWAN) $(LIBXSWCHECK) $(LIBXSW) $(PKG_LIBS_PCAP) $(PKG_LIBS_YAML)

# The deterministic trace generator: test fixtures and the benchmark trace.
$(AN_GEN): $(B)/obj/analyzer/gen.o $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(LIBXSW) $(PKG_LIBS_PCAP)

# The benchmark's baseline: a bare libpcap read loop.
$(AN_PCAPLOOP): $(B)/obj/analyzer/pcaploop.o
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(PKG_LIBS_PCAP)

# The benchmark's measuring wrapper (getrusage of the child).
$(AN_BENCHRUN): $(B)/obj/analyzer/benchrun.o
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $<

all: $(XSW_ANALYZE) $(AN_GEN) $(AN_PCAPLOOP) $(AN_BENCHRUN)
UNIT_LIBS += $(LIBXSWAN)
UNIT_DEPS += $(XSW_ANALYZE) $(AN_GEN)
TEST_SCRIPTS += analyzer/tests/run.sh

# Fuzzing the netvsc text reader and the NVSP rules (fuzz/fuzz_netvsc_text.c);
# the replay build runs in `make test` over fixtures/fuzz/netvsc_text/.
FUZZ_NV_SRCS := fuzz/fuzz_netvsc_text.c analyzer/nvtext.c analyzer/nvsp.c analyzer/common.c analyzer/stats.c \
	lib/trace_decode.c lib/names.c

$(B)/fuzz/fuzz_netvsc_text: $(FUZZ_NV_SRCS) $(wildcard analyzer/*.h) analyzer/nvsp_rules.def
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib -Ianalyzer -o $@ $(FUZZ_NV_SRCS)

$(B)/fuzz-replay/fuzz_netvsc_text: $(B)/obj/fuzz/fuzz_netvsc_text.o $(LIBXSWAN) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_PCAP)

.PHONY: fuzz-netvsc fuzz-netvsc-run
fuzz-netvsc: $(B)/fuzz/fuzz_netvsc_text

fuzz-netvsc-run: $(B)/fuzz/fuzz_netvsc_text
	@mkdir -p $(B)/fuzz/corpus/netvsc_text
	$< -max_total_time=$(FUZZ_TIME) -max_len=4096 -artifact_prefix=$(B)/fuzz/ \
		$(B)/fuzz/corpus/netvsc_text fixtures/fuzz/netvsc_text

all: $(B)/fuzz-replay/fuzz_netvsc_text
UNIT_DEPS += $(B)/fuzz-replay/fuzz_netvsc_text

# make bench: see analyzer/bench.sh (BENCH_MB sets the trace size, default 1100).
BENCH_MB ?= 1100
.PHONY: bench-analyzer
# The tshark run needs the plugin; dissectors.mk (read after this file) names it
# only when the Wireshark SDK is there, so it is built from the recipe.
bench-analyzer: $(XSW_ANALYZE) $(AN_GEN) $(AN_PCAPLOOP) $(AN_BENCHRUN)
	@if [ -n "$(DISS_SO)" ]; then $(MAKE) --no-print-directory B=$(B) $(DISS_SO) || \
		echo "bench: the xsw plugin did not build; the tshark run will be skipped"; fi
	XSW_BUILD=$(B) BENCH_MB=$(BENCH_MB) sh analyzer/bench.sh
bench: bench-analyzer
