#!/bin/sh
# fuzz_replay.sh - run fuzz targets, built as plain replay programs, over
# their corpus (seed inputs and every crash input kept as a regression file).
#
#   tests/fuzz_replay.sh BIN CORPUS_DIR   replay one target over one directory
#   tests/fuzz_replay.sh                  replay every $XSW_BUILD/fuzz-replay/fuzz_NAME
#                                         over fixtures/fuzz/NAME/
#
# A fuzz target fuzz/fuzz_NAME.c is built by its component's fragment as
# $(B)/fuzz-replay/fuzz_NAME (a main() that calls LLVMFuzzerTestOneInput on
# each file given); naming it so is all a new target needs to be replayed by
# `make test`. Each input runs in its own process, so a failure names the
# file. Exits non-zero if any input fails or a corpus is missing or empty.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)

replay() {
    bin=$1
    dir=$2
    if [ ! -x "$bin" ]; then
        echo "fuzz_replay: $bin: not built" >&2
        return 1
    fi
    if [ ! -d "$dir" ]; then
        echo "fuzz_replay: $dir: no corpus directory for $(basename "$bin")" >&2
        return 1
    fi
    n=0
    bad=0
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        if ! out=$("$bin" "$f" 2>&1); then
            echo "fuzz_replay: FAILED $(basename "$bin") on $f:" >&2
            printf '%s\n' "$out" | sed 's/^/    /' >&2
            bad=$((bad + 1))
        fi
    done
    if [ "$n" = 0 ]; then
        echo "fuzz_replay: $dir: empty corpus" >&2
        return 1
    fi
    echo "fuzz_replay: $(basename "$bin"): $n input(s), $bad failed"
    [ "$bad" = 0 ]
}

if [ $# -eq 2 ]; then
    replay "$1" "$2"
    exit $?
fi
if [ $# -ne 0 ]; then
    echo "usage: $0 [BIN CORPUS_DIR]" >&2
    exit 2
fi

build=${XSW_BUILD:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
status=0
found=0
for bin in "$build"/fuzz-replay/fuzz_*; do
    [ -x "$bin" ] || continue
    found=1
    name=$(basename "$bin")
    replay "$bin" "$root/fixtures/fuzz/${name#fuzz_}" || status=1
done
if [ $found = 0 ]; then
    echo "fuzz_replay: no replay programs in $build/fuzz-replay" >&2
    exit 1
fi
exit $status
