# lib.sh - shared by analyzer/tests/run.sh (the test) and regen.sh (which
# rewrites the golden summaries on purpose). POSIX sh, sourced.
#
# Everything runs inside a work folder under the build folder, with the
# inputs copied there and the spec folder linked as "specs", so that the
# paths printed in summaries (trace names, spec files) are the same on
# every machine.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GOLDEN=$ROOT/analyzer/tests/golden
B=${XSW_BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
AN=$B/bin/xsw-analyze
GEN=$B/bin/xsw-an-gen
WORK=$B/analyzer-tests

die() {
    echo "analyzer/tests: $*" >&2
    exit 1
}

# setup: check the tools, build the work folder with the fixtures.
setup() {
    [ -x "$AN" ] || die "$AN not built (make B=${XSW_BUILD:-build} $AN)"
    [ -x "$GEN" ] || die "$GEN not built"
    rm -rf "$WORK"
    mkdir -p "$WORK/netvsc" || die "cannot create $WORK"
    ln -s "$ROOT/suite/specs" "$WORK/specs"
    cp "$ROOT"/fixtures/netvsc/*.txt "$WORK/netvsc/"
    "$GEN" fixture clean "$WORK/clean.pcap" || die "xsw-an-gen fixture clean failed"
    "$GEN" fixture violations "$WORK/violations.pcap" || die "xsw-an-gen fixture violations failed"
}

# an ARGS...: xsw-analyze in the work folder (stdout only; status in $?).
an() {
    (cd "$WORK" && "$AN" --spec specs "$@" 2>/dev/null)
}

# The golden summaries: NAME and the xsw-analyze arguments that produce it.
GOLDEN_CASES="clean:clean.pcap
violations:violations.pcap
netvsc-clean:netvsc/clean.txt
netvsc-switch-before-assoc:netvsc/switch-before-assoc.txt
netvsc-perf-explicit:netvsc/perf-explicit.txt
several:-q clean.pcap violations.pcap netvsc/clean.txt"
