# runner.mk - xsw-suite, the certification runner (hosts the harness, so it
# links the switch and the runtime and exports their symbols to extensions).
# Its built-in rules (suite/builtin.c) are the guest NVSP rules of
# xsw-analyze: analyzer/nvsp.c, linked from the analyzer's library as is.
RUNNER_SRCS := suite/main.c suite/report.c suite/inf.c suite/sha256.c suite/builtin.c
RUNNER_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(RUNNER_SRCS))
LIBXSWRUN := $(B)/lib/libxswrun.a
# analyzer.mk is read after this file: name its library here (same path as LIBXSWAN there).
RUNNER_AN_LIB := $(B)/lib/libxswanalyze.a

$(B)/obj/suite/main.o: XSW_CFLAGS += -DXSW_DEFAULT_SPEC_DIR='"$(abspath suite/specs)"'
$(B)/obj/suite/builtin.o: XSW_CFLAGS += -Ianalyzer
$(B)/obj/tests/test_builtin.o: XSW_CFLAGS += -Isuite

$(LIBXSWRUN): $(filter-out $(B)/obj/suite/main.o,$(RUNNER_OBJS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/bin/xsw-suite: $(B)/obj/suite/main.o $(LIBXSWRUN) $(RUNNER_AN_LIB) $(LIBXSWCHECK) $(HARNESS_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(LIBXSWRUN) $(RUNNER_AN_LIB) $(LIBXSWCHECK) $(PKG_LIBS_YAML) $(HARNESS_LINK)

all: $(B)/bin/xsw-suite
UNIT_LIBS += $(LIBXSWRUN)
# End to end: reference extensions pass, each broken extension fails exactly
# the rules fixtures/extensions/EXPECTED lists, a spec typo exits 2.
TEST_SCRIPTS += tests/suite_broken.sh
UNIT_DEPS += $(B)/bin/xsw-suite
