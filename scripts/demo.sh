#!/bin/sh
# demo.sh - what `make demo` runs: the certification suite against each
# bundled reference extension alone and against all of them stacked, with
# text, JUnit, TAP and JSON reports and the Wireshark-ready traces in one
# output folder.
#
#   scripts/demo.sh BUILD_DIR OUT_DIR
set -u
B=${1:-build}
OUT=${2:-out/demo}
rm -rf "$OUT"
mkdir -p "$OUT"
status=0

# run NAME EXT-ARGS...: one suite run into $OUT/NAME
run() {
    name=$1
    shift
    dir="$OUT/$name"
    mkdir -p "$dir"
    echo "== xsw-suite: $name"
    "$B/bin/xsw-suite" run "$@" --traces "$dir/traces" --junit "$dir/junit.xml" --tap "$dir/report.tap" \
        --json "$dir/report.json" -j 2 >"$dir/report.txt" 2>"$dir/stderr.txt"
    rc=$?
    sed 's/^/   /' "$dir/report.txt" | grep -E '^   (PASS|FAIL|[0-9]+ passed)' || true
    if [ $rc -ne 0 ]; then
        echo "   xsw-suite exited with $rc (see $dir/report.txt and $dir/stderr.txt)"
        status=1
    fi
}

exts=""
for e in capture filter forward; do
    so="$B/ext/$e.so"
    inf=$(ls reference/extensions/$e/*.inf 2>/dev/null | head -n 1)
    if [ ! -f "$so" ] || [ -z "$inf" ]; then
        echo "demo: $so or its INF is missing (run make first)" >&2
        exit 2
    fi
    run "$e" --extension "$so" --inf "$inf"
    exts="$exts --extension $so --inf $inf"
done
# shellcheck disable=SC2086
run stacked $exts

echo
echo "Reports and traces are in $OUT/:"
for d in capture filter forward stacked; do
    echo "  $OUT/$d/report.txt   (JUnit: junit.xml, TAP: report.tap, certification record: report.json)"
done
echo "Wireshark-ready traces (link type 252, dissector 'xsw'):"
ls "$OUT"/*/traces/*.pcap | sed 's/^/  /' | head -n 8
echo "Open one with the plugin installed (make install-plugin):"
echo "  wireshark $OUT/stacked/traces/vm-lifecycle.pcap"
echo "  tshark -r $OUT/stacked/traces/vm-lifecycle.pcap -Y 'xsw.kind == 2'   # OID requests"
exit $status
