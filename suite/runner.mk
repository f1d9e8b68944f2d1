# runner.mk - xsw-suite, the certification runner (hosts the harness, so it
# links the switch and the runtime and exports their symbols to extensions).
RUNNER_SRCS := suite/main.c suite/report.c suite/inf.c suite/sha256.c
RUNNER_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(RUNNER_SRCS))
LIBXSWRUN := $(B)/lib/libxswrun.a

$(B)/obj/suite/main.o: XSW_CFLAGS += -DXSW_DEFAULT_SPEC_DIR='"$(abspath suite/specs)"'

$(LIBXSWRUN): $(filter-out $(B)/obj/suite/main.o,$(RUNNER_OBJS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/bin/xsw-suite: $(B)/obj/suite/main.o $(LIBXSWRUN) $(LIBXSWCHECK) $(HARNESS_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(LIBXSWRUN) $(LIBXSWCHECK) $(PKG_LIBS_YAML) $(HARNESS_LINK)

all: $(B)/bin/xsw-suite
UNIT_LIBS += $(LIBXSWRUN)
# End to end: reference extensions pass, each broken extension fails exactly
# the rules fixtures/extensions/EXPECTED lists, a spec typo exits 2.
TEST_SCRIPTS += tests/suite_broken.sh
UNIT_DEPS += $(B)/bin/xsw-suite
