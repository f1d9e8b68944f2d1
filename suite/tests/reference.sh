#!/bin/sh
# reference.sh - the checker against its reference build: every fixture of
# fixtures/checker/ through xsw-check-dump (the engine as shipped) and
# xsw-check-dump-ref (check.c built with -DXSW_CHECK_REFERENCE, every rule
# evaluated as written), which must print the same violations, texts and
# counts (suite/check_dump.c). Run by `make test`; alone:
#   XSW_BUILD=build sh suite/tests/reference.sh
set -u
B=${XSW_BUILD:-build}
FAST=$B/bin/xsw-check-dump
REF=$B/bin/xsw-check-dump-ref
for p in "$FAST" "$REF"; do
    [ -x "$p" ] || { echo "reference.sh: $p not built"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/xsw-reference.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
set -- fixtures/checker/*.pass fixtures/checker/*.fail
if ! "$FAST" suite/specs "$@" >"$T/fast.txt" 2>"$T/fast.err"; then
    echo "FAIL reference.sh: xsw-check-dump failed:"; cat "$T/fast.err"; exit 1
fi
if ! "$REF" suite/specs "$@" >"$T/ref.txt" 2>"$T/ref.err"; then
    echo "FAIL reference.sh: xsw-check-dump-ref failed:"; cat "$T/ref.err"; exit 1
fi
n=$(grep -c '^violation ' "$T/ref.txt")
if [ "$n" -eq 0 ]; then
    echo "FAIL reference.sh: the reference found no violation at all in the fixtures"; exit 1
fi
if ! cmp -s "$T/fast.txt" "$T/ref.txt"; then
    echo "FAIL reference.sh: the checker and its reference build disagree (< reference, > engine):"
    diff "$T/ref.txt" "$T/fast.txt" | head -40
    exit 1
fi
echo "reference.sh: $# fixtures, $n violations: the checker and its reference build agree"
