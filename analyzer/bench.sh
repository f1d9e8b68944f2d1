#!/bin/sh
# bench.sh - the analyzer benchmark (`make bench`, target bench-analyzer in
# analyzer/analyzer.mk; alone: XSW_BUILD=build/h7 sh analyzer/bench.sh).
#
# 1. Generates a trace of at least BENCH_MB MB (default 1100) with
#    xsw-an-gen bench under build/bench/ (reused while the generator is
#    unchanged): 64 ports, NBL chains of 64-byte frames with 1-2
#    destinations through a capture and a filter extension, reported drops,
#    reference handlers and OIDs.
# 2. Runs, once each, under xsw-benchrun (getrusage of the child):
#      xsw-analyze -q (full analysis: summary statistics, every spec rule,
#                      the guest NVSP rules)
#      xsw-pcaploop   (a plain libpcap pcap_next_ex loop over the same file)
#      tshark with the xsw plugin, over a BENCH_TSHARK_MB prefix (default 30)
#                     of the file, rate extrapolated (skipped with a message
#                     when tshark or the plugin is missing)
# 3. Prints records per second per core (records / (user + sys CPU time), so
#    other load on the machine does not distort it; wall-clock rates too),
#    peak memory (ru_maxrss), and whether each target is met:
#    >= 5 M records/s, >= 1/2 of the libpcap loop, >= 50 x tshark, < 64 MB.
# Exits 0 when the benchmark ran (targets met or not), 1 when it could not run.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${XSW_BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
MB=${BENCH_MB:-1100}
TSHARK_MB=${BENCH_TSHARK_MB:-30}
DIR=${BENCH_DIR:-$ROOT/build/bench}
GEN=$B/bin/xsw-an-gen
AN=$B/bin/xsw-analyze
LOOP=$B/bin/xsw-pcaploop
RUN=$B/bin/xsw-benchrun
PLUGIN=$B/dissectors/xsw.so
TRACE=$DIR/analyzer-bench.pcap

die() {
    echo "bench: $*" >&2
    exit 1
}
for t in "$GEN" "$AN" "$LOOP" "$RUN"; do
    [ -x "$t" ] || die "$t not built (make B=... bench-analyzer builds it)"
done
mkdir -p "$DIR" || die "cannot create $DIR"

# The trace is reused while the generator and the size are the same.
stamp="$(cksum <"$GEN" | cut -d' ' -f1) $MB"
if [ ! -f "$TRACE" ] || [ "$(cat "$TRACE.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "bench: generating a $MB MB trace in $TRACE ..."
    rm -f "$TRACE.stamp"
    "$GEN" bench "$TRACE" "$MB" || die "xsw-an-gen failed"
    echo "$stamp" >"$TRACE.stamp"
fi
bytes=$(wc -c <"$TRACE" | tr -d ' ')

# measure NAME CMD...: sets M_STATUS M_WALL M_CPU M_RSS (KB); stdout of CMD into $DIR/NAME.out.
measure() {
    name=$1
    shift
    set -- $("$RUN" -o "$DIR/$name.out" "$@")
    M_STATUS=$1
    M_WALL=$2
    M_CPU=$(awk -v u="$3" -v s="$4" 'BEGIN { printf "%.3f", u + s }')
    M_RSS=$5
}

rate() { # records seconds -> records/s
    awk -v r="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.001; printf "%.0f", r / s }'
}
mrate() { # records/s -> "12.34 M"
    awk -v r="$1" 'BEGIN { printf "%.2f M", r / 1e6 }'
}

# Warm the page cache once so that no run pays for the disk.
cat "$TRACE" >/dev/null

measure loop "$LOOP" "$TRACE"
[ "$M_STATUS" = 0 ] || die "xsw-pcaploop failed (status $M_STATUS)"
records=$(cut -d' ' -f1 "$DIR/loop.out")
L_CPU=$M_CPU L_WALL=$M_WALL L_RSS=$M_RSS
L_RATE=$(rate "$records" "$L_CPU")

measure analyze "$AN" -q --spec "$ROOT/suite/specs" "$TRACE"
case $M_STATUS in 0 | 1) ;; *) die "xsw-analyze failed (status $M_STATUS): $(cat "$DIR/analyze.out")" ;; esac
A_CPU=$M_CPU A_WALL=$M_WALL A_RSS=$M_RSS
A_RATE=$(rate "$records" "$A_CPU")
A_WRATE=$(rate "$records" "$A_WALL")

T_RATE=""
T_NOTE=""
if ! command -v tshark >/dev/null 2>&1; then
    T_NOTE="tshark not installed: skipped"
elif [ ! -f "$PLUGIN" ]; then
    T_NOTE="xsw plugin not built ($PLUGIN): tshark skipped"
else
    # tshark ignores personal plugins when run as root (toolchain-notes.md):
    # run it as nobody with HOME at a stage holding the plugin.
    STAGE=$(mktemp -d "${TMPDIR:-/tmp}/xsw-bench.XXXXXX") || die "mktemp failed"
    chmod 755 "$STAGE"
    mkdir -p "$STAGE/.local/lib/wireshark/plugins/4.0/epan"
    cp "$PLUGIN" "$STAGE/.local/lib/wireshark/plugins/4.0/epan/xsw.so"
    tframes=$("$GEN" prefix "$TRACE" "$STAGE/prefix.pcap" "$TSHARK_MB") || die "cannot cut the tshark prefix"
    chmod -R a+rX "$STAGE"
    AS_USER=""
    [ "$(id -u)" = 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
    if ! $AS_USER env -i HOME="$STAGE" PATH=/usr/bin:/bin tshark -G plugins 2>/dev/null | grep -q 'xsw\.so'; then
        T_NOTE="tshark does not load $PLUGIN: skipped"
    else
        measure tshark $AS_USER env -i HOME="$STAGE" LC_ALL=C PATH=/usr/bin:/bin tshark -n -r "$STAGE/prefix.pcap" \
            -T fields -e frame.number -e xsw.kind -e xsw.point
        if [ "$M_STATUS" != 0 ]; then
            T_NOTE="tshark failed (status $M_STATUS): skipped"
        else
            dissected=$(wc -l <"$DIR/tshark.out" | tr -d ' ')
            [ "$dissected" = "$tframes" ] || T_NOTE="(tshark printed $dissected of $tframes frames)"
            T_CPU=$M_CPU T_WALL=$M_WALL T_RSS=$M_RSS
            T_RATE=$(rate "$tframes" "$T_CPU")
        fi
    fi
    rm -rf "$STAGE"
fi

echo
echo "xsw-analyze benchmark: $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }'), $records records ($TRACE)"
echo "rates are records per CPU second (user + sys of the process: one core); wall-clock in brackets"
printf '  %-40s %10s %10s %16s %12s\n' "program" "CPU s" "wall s" "records/s" "peak RSS"
printf '  %-40s %10s %10s %16s %9d KB  [%s/s wall]\n' "xsw-analyze -q (all rules)" "$A_CPU" "$A_WALL" "$(mrate "$A_RATE")" "$A_RSS" "$(mrate "$A_WRATE")"
printf '  %-40s %10s %10s %16s %9d KB\n' "libpcap pcap_next_ex loop" "$L_CPU" "$L_WALL" "$(mrate "$L_RATE")" "$L_RSS"
if [ -n "$T_RATE" ]; then
    printf '  %-40s %10s %10s %16s %9d KB\n' "tshark + xsw plugin ($tframes-frame prefix)" "$T_CPU" "$T_WALL" "$(mrate "$T_RATE")" "$T_RSS"
fi
[ -n "$T_NOTE" ] && echo "  $T_NOTE"
echo
verdict() { # label ok
    if [ "$2" = 1 ]; then echo "  MET      $1"; else echo "  NOT MET  $1"; fi
}
verdict "$(mrate "$A_RATE")/s >= 5 M records/s on one core" "$(awk -v a="$A_RATE" 'BEGIN { print (a >= 5e6) }')"
verdict "$(mrate "$A_RATE")/s >= half the libpcap loop ($(mrate "$L_RATE")/s / 2)" \
    "$(awk -v a="$A_RATE" -v l="$L_RATE" 'BEGIN { print (a >= l / 2) }')"
if [ -n "$T_RATE" ]; then
    verdict "$(awk -v a="$A_RATE" -v t="$T_RATE" 'BEGIN { printf "%.0f", a / t }') x tshark's rate >= 50 x" \
        "$(awk -v a="$A_RATE" -v t="$T_RATE" 'BEGIN { print (a >= 50 * t) }')"
else
    echo "  SKIPPED  >= 50 x tshark's rate"
fi
verdict "peak memory $(awk -v k="$A_RSS" 'BEGIN { printf "%.1f MB", k / 1024 }') < 64 MB" "$(awk -v k="$A_RSS" 'BEGIN { print (k < 65536) }')"

# The same figures as rows of the README's benchmark table.
echo
echo "| xsw-analyze records/s, all rules, one core ($(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }') trace) | $(mrate "$A_RATE")/s | >= 5 M/s |"
echo "| xsw-analyze / plain libpcap loop ($(mrate "$L_RATE")/s) | $(awk -v a="$A_RATE" -v l="$L_RATE" 'BEGIN { printf "%.2f x", a / l }') | >= 0.5 x |"
if [ -n "$T_RATE" ]; then
    echo "| xsw-analyze / tshark + xsw plugin ($(awk -v t="$T_RATE" 'BEGIN { printf "%.0f", t }') records/s) | $(awk -v a="$A_RATE" -v t="$T_RATE" 'BEGIN { printf "%.0f x", a / t }') | >= 50 x |"
fi
echo "| xsw-analyze peak memory | $(awk -v k="$A_RSS" 'BEGIN { printf "%.1f MB", k / 1024 }') | < 64 MB |"
exit 0
