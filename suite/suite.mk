# suite.mk - libxswcheck.a: the conformance spec loader (YAML), the checker
# engine and the record text format, shared by xsw-suite (online) and
# xsw-analyze (offline); and the rule specs installed with the tools.
CHECK_SRCS := suite/spec.c suite/expr.c suite/check.c suite/rectext.c
CHECK_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(CHECK_SRCS))
LIBXSWCHECK := $(B)/lib/libxswcheck.a
SPEC_FILES := $(wildcard suite/specs/*.yaml)

$(LIBXSWCHECK): $(CHECK_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

all: $(LIBXSWCHECK)
UNIT_LIBS += $(LIBXSWCHECK)

.PHONY: install-specs
install-specs:
	install -d $(DESTDIR)$(PREFIX)/share/xsw/specs
	install -m 644 $(SPEC_FILES) $(DESTDIR)$(PREFIX)/share/xsw/specs/
install: install-specs

# The differential test (suite/tests/reference.sh): every checker fixture
# through xsw-check-dump, once with the engine as shipped and once with its
# reference build (check.c with -DXSW_CHECK_REFERENCE: every rule evaluated
# as written, no plans or specialised conditions). Both must print the same.
$(B)/obj/suite/check_ref.o: suite/check.c
	@mkdir -p $(dir $@)
	$(CC) $(XSW_CFLAGS) -DXSW_CHECK_REFERENCE -Wno-unused-function -c -o $@ $<

$(B)/bin/xsw-check-dump: $(B)/obj/suite/check_dump.o $(LIBXSWCHECK) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_YAML)

$(B)/bin/xsw-check-dump-ref: $(B)/obj/suite/check_dump.o $(B)/obj/suite/spec.o $(B)/obj/suite/expr.o \
		$(B)/obj/suite/check_ref.o $(B)/obj/suite/rectext.o $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_YAML)

all: $(B)/bin/xsw-check-dump $(B)/bin/xsw-check-dump-ref
UNIT_DEPS += $(B)/bin/xsw-check-dump $(B)/bin/xsw-check-dump-ref
TEST_SCRIPTS += suite/tests/reference.sh

# `make bench`: throughput of the checker engine alone.
$(B)/bin/xsw-bench-check: $(B)/obj/suite/bench_check.o $(LIBXSWCHECK) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_YAML)

.PHONY: bench-check
bench-check: $(B)/bin/xsw-bench-check
	$(B)/bin/xsw-bench-check 1000000
bench: bench-check
