# bench.mk - `make bench`: harness throughput (bench-switch) plus whatever
# other components add as prerequisites of bench (the analyzer's bench).
$(B)/bin/bench-switch: $(B)/obj/bench/bench_switch.o $(HARNESS_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(XSW_LDFLAGS) -o $@ $< $(HARNESS_LINK)

.PHONY: bench-switch
bench-switch: $(B)/bin/bench-switch $(B)/ext/capture.so
	@mkdir -p build/bench
	$(B)/bin/bench-switch $(B)/ext/capture.so $(BENCH_SECONDS)

BENCH_SECONDS ?= 2
bench: bench-switch
all: $(B)/bin/bench-switch
