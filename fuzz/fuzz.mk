# fuzz.mk - every libFuzzer target of the tree, and `make fuzz`.
#
#   make fuzz [FUZZ_SECONDS=60]   build every target in FUZZ_TARGETS and run each one for
#                                 FUZZ_SECONDS over its corpus (fuzz/run.sh); an input that
#                                 crashes, leaks or hangs is copied into the corpus as
#                                 fixtures/fuzz/NAME/crash-NAME-<sha1 prefix> and the run fails
#   make fuzz-spec fuzz-checker fuzz-analyzer-stats fuzz-inf   build one target of this file
#
# A fuzz target is fuzz/fuzz_NAME.c with its corpus in fixtures/fuzz/NAME/.
# Its component's fragment (or this one) builds two programs from it:
#   $(B)/fuzz/fuzz_NAME          clang, -fsanitize=fuzzer,address,undefined, -DXSW_LIBFUZZER
#   $(B)/fuzz-replay/fuzz_NAME   $(CC) with the normal flags: a main() replaying the files it
#                                is given; `make test` runs it over the corpus
#                                (tests/fuzz_replay.sh), under SANITIZE=1 too
# and adds NAME to FUZZ_TARGETS (FUZZ_MAXLEN_NAME sets libFuzzer's -max_len,
# without it libFuzzer derives one from the corpus; FUZZ_DICT_NAME names a
# libFuzzer dictionary). The targets of fragments written before this file
# (lib.mk: trace_decode, analyzer.mk: netvsc_text, reference/vmbus/vmbus.mk:
# vmbus) are added below when their fragment is part of the build; their own
# fuzz-*-run rules still work.
#
# This file is included last by the Makefile, so every fragment's additions
# to FUZZ_TARGETS are known here. FUZZ_CC, FUZZ_CFLAGS come from lib/lib.mk.

FUZZ_SECONDS ?= 60

ifneq ($(FUZZ_TRACE_SRCS),)
FUZZ_TARGETS += trace_decode
FUZZ_MAXLEN_trace_decode ?= 8192
endif
ifneq ($(FUZZ_NV_SRCS),)
FUZZ_TARGETS += netvsc_text
FUZZ_MAXLEN_netvsc_text ?= 4096
endif
ifneq ($(FUZZ_VMBUS_SRCS),)
FUZZ_TARGETS += vmbus
FUZZ_MAXLEN_vmbus ?= 16384
endif

# ---- Targets of this file ---------------------------------------------------
# The spec loader and expression compiler (fuzz/fuzz_spec.c), the checker
# engine over record streams (fuzz/fuzz_checker.c), the analyzer's own
# record statistics (fuzz/fuzz_analyzer_stats.c) and, below, the INF reader
# of xsw-suite (fuzz/fuzz_inf.c).
FUZZ_TARGETS += spec checker analyzer_stats
FUZZ_MAXLEN_spec ?= 16384
FUZZ_MAXLEN_checker ?= 65536
FUZZ_MAXLEN_analyzer_stats ?= 65536
FUZZ_DICT_spec ?= fuzz/spec.dict
FUZZ_DICT_checker ?= fuzz/checker.dict
FUZZ_DICT_analyzer_stats ?= fuzz/checker.dict

FUZZ_CHECK_SRCS := suite/spec.c suite/expr.c suite/check.c lib/trace_decode.c lib/names.c
FUZZ_CHECK_DEPS := $(FUZZ_CHECK_SRCS) $(wildcard suite/*.h lib/*.h include/xsw/*.h include/xsw/defs/*.def) \
	fuzz/replay.h fuzz/records.h
FUZZ_AN_SRCS := analyzer/stats.c analyzer/nvsp.c analyzer/nvtext.c analyzer/common.c lib/trace_decode.c lib/names.c
FUZZ_SPEC_DIR_DEF := -DXSW_FUZZ_SPEC_DIR='"$(abspath suite/specs)"'

$(B)/fuzz/fuzz_spec: fuzz/fuzz_spec.c $(FUZZ_CHECK_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib $(PKG_CFLAGS) -o $@ fuzz/fuzz_spec.c $(FUZZ_CHECK_SRCS) $(PKG_LIBS_YAML)

$(B)/fuzz/fuzz_checker: fuzz/fuzz_checker.c $(FUZZ_CHECK_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib $(PKG_CFLAGS) $(FUZZ_SPEC_DIR_DEF) -o $@ fuzz/fuzz_checker.c $(FUZZ_CHECK_SRCS) \
		$(PKG_LIBS_YAML)

$(B)/fuzz/fuzz_analyzer_stats: fuzz/fuzz_analyzer_stats.c $(FUZZ_AN_SRCS) $(wildcard analyzer/*.h lib/*.h include/xsw/*.h \
		include/xsw/defs/*.def) analyzer/nvsp_rules.def fuzz/replay.h fuzz/records.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib -Ianalyzer -o $@ fuzz/fuzz_analyzer_stats.c $(FUZZ_AN_SRCS)

$(B)/obj/fuzz/fuzz_checker.o: XSW_CFLAGS += $(FUZZ_SPEC_DIR_DEF)
$(B)/obj/fuzz/fuzz_analyzer_stats.o: XSW_CFLAGS += -Ianalyzer

$(B)/fuzz-replay/fuzz_spec: $(B)/obj/fuzz/fuzz_spec.o $(LIBXSWCHECK) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_YAML) $(PKG_LIBS_PCAP)

$(B)/fuzz-replay/fuzz_checker: $(B)/obj/fuzz/fuzz_checker.o $(LIBXSWCHECK) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_YAML) $(PKG_LIBS_PCAP)

$(B)/fuzz-replay/fuzz_analyzer_stats: $(B)/obj/fuzz/fuzz_analyzer_stats.o $(LIBXSWAN) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_PCAP)

FUZZ_REPLAY_MINE := $(B)/fuzz-replay/fuzz_spec $(B)/fuzz-replay/fuzz_checker $(B)/fuzz-replay/fuzz_analyzer_stats
# `make test` depends on all (tests.mk), so the replay programs are built before
# tests/fuzz_replay.sh (registered by lib.mk) replays every corpus.
all: $(FUZZ_REPLAY_MINE)
UNIT_DEPS += $(FUZZ_REPLAY_MINE)

.PHONY: fuzz fuzz-spec fuzz-checker fuzz-analyzer-stats
fuzz-spec: $(B)/fuzz/fuzz_spec
fuzz-checker: $(B)/fuzz/fuzz_checker
fuzz-analyzer-stats: $(B)/fuzz/fuzz_analyzer_stats

# ---- The INF reader of xsw-suite (fuzz/fuzz_inf.c) ----------------------------
FUZZ_TARGETS += inf
FUZZ_MAXLEN_inf ?= 8192

$(B)/fuzz/fuzz_inf: fuzz/fuzz_inf.c suite/inf.c suite/inf.h fuzz/replay.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Isuite -o $@ fuzz/fuzz_inf.c suite/inf.c

$(B)/obj/fuzz/fuzz_inf.o: XSW_CFLAGS += -Isuite

$(B)/fuzz-replay/fuzz_inf: $(B)/obj/fuzz/fuzz_inf.o $(LIBXSWRUN)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^

all: $(B)/fuzz-replay/fuzz_inf
UNIT_DEPS += $(B)/fuzz-replay/fuzz_inf
.PHONY: fuzz-inf
fuzz-inf: $(B)/fuzz/fuzz_inf

# ---- make fuzz --------------------------------------------------------------
FUZZ_ALL := $(sort $(FUZZ_TARGETS))

fuzz: $(foreach t,$(FUZZ_ALL),$(B)/fuzz/fuzz_$(t))
	sh fuzz/run.sh $(B) $(FUZZ_SECONDS) \
		$(foreach t,$(FUZZ_ALL),$(t):$(or $(FUZZ_MAXLEN_$(t)),0):$(FUZZ_DICT_$(t)))
