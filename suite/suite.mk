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

# `make bench`: throughput of the checker engine alone.
$(B)/bin/xsw-bench-check: $(B)/obj/suite/bench_check.o $(LIBXSWCHECK) $(LIBXSW)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $^ $(PKG_LIBS_YAML)

.PHONY: bench-check
bench-check: $(B)/bin/xsw-bench-check
	$(B)/bin/xsw-bench-check 1000000
bench: bench-check
