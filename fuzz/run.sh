#!/bin/sh
# run.sh - `make fuzz`: run every libFuzzer target for a while over its corpus.
#
#   fuzz/run.sh BUILD SECONDS NAME:MAXLEN[:DICT]...
#
# Runs BUILD/fuzz/fuzz_NAME for SECONDS seconds (MAXLEN 0: libFuzzer picks
# -max_len from the corpus) over a working corpus BUILD/fuzz/corpus/NAME/
# (new inputs go there) and the kept corpus fixtures/fuzz/NAME/ (read only),
# with the libFuzzer dictionary DICT when one is given.
# An input that crashes, leaks, runs out of memory or hangs a target is
# copied into fixtures/fuzz/NAME/ as crash-NAME-<first 12 hex digits of its
# SHA-1>, a named regression file that `make test` replays from then on
# (tests/fuzz_replay.sh); fix the bug, keep the file. Every target runs even
# after one failed; the exit status is 1 if any failed, with the end of its
# log shown.
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 BUILD SECONDS NAME:MAXLEN[:DICT]..." >&2
    exit 2
fi
build=$1
secs=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
status=0
for spec in "$@"; do
    name=${spec%%:*}
    rest=${spec#*:}
    maxlen=${rest%%:*}
    dict=
    [ "$rest" != "$maxlen" ] && dict=${rest#*:}
    bin=$build/fuzz/fuzz_$name
    kept=fixtures/fuzz/$name
    work=$build/fuzz/corpus/$name
    art=$build/fuzz/artifacts/$name
    log=$build/fuzz/$name.log
    if [ ! -x "$bin" ] || [ ! -d "$kept" ]; then
        echo "fuzz: $name: $bin or $kept is missing" >&2
        status=1
        continue
    fi
    mkdir -p "$work" "$art"
    rm -f "$art"/*
    set -- -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/"
    [ "$maxlen" != 0 ] && set -- "$@" -max_len="$maxlen"
    [ -n "$dict" ] && set -- "$@" -dict="$dict"
    echo "fuzz: $name for ${secs}s (log: $log)"
    "$bin" "$@" "$work" "$kept" >"$log" 2>&1
    rc=$?
    found=0
    for f in "$art"/*; do
        [ -f "$f" ] || continue
        kind=$(basename "$f" | sed 's/-.*//')
        if [ "$kind" = slow ]; then
            rm -f "$f" # slow-unit-*: reported by libFuzzer, not a failure
            continue
        fi
        sha=$(sha1sum "$f" | cut -c1-12)
        dest=$kept/crash-$name-$sha
        cp "$f" "$dest"
        echo "fuzz: $name: $kind input kept as $dest" >&2
        found=1
    done
    if [ "$rc" != 0 ] || [ "$found" = 1 ]; then
        echo "fuzz: $name FAILED (exit $rc); end of $log:" >&2
        tail -n 40 "$log" | sed 's/^/    /' >&2
        status=1
    else
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        echo "fuzz: $name: ${execs:-?} inputs, no failure"
    fi
done
exit $status
