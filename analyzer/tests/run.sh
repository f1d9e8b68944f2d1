#!/bin/sh
# run.sh - script tests of xsw-analyze (registered in TEST_SCRIPTS by
# analyzer/analyzer.mk; run by `make test`, or alone as
# `XSW_BUILD=build/h7 sh analyzer/tests/run.sh`).
#
# Checks, each printing what differed and making the script exit non-zero:
#  1. the generator is deterministic (two runs, same bytes);
#  2. golden summaries of the xsw fixtures (clean, violations), the netvsc
#     text fixtures and a several-input run, with their exit statuses (rule
#     counts and spec line numbers, which change with suite/specs, excepted);
#  3. --json is valid JSON with the expected figures, --junit is well-formed
#     XML with a failure per violated MUST rule;
#  4. --annotate: the copy analyzes to the same violations, has one VERDICT
#     per violation, and (when tshark and the plugin are there) the dissector
#     shows each verdict's judged frame;
#  5. bad inputs: truncated file header, file cut inside a frame, unknown
#     record version, rec_len past the frame, a frame captured short, another
#     link type, garbage, an empty file, a missing file, pcapng input (whole
#     and cut), an overlong and a NUL text line: message with frame/line and
#     offset, everything before analyzed, exit status 2, never a crash;
#  6. usage errors exit 2; --rule and --class restrict and override;
#  7. the verdicts match xsw-suite's: over the traces xsw-suite writes for a
#     case, the (rule, frame) pairs xsw-analyze finds equal the ones in the
#     suite's JSON report (skipped with a message while xsw-suite or the
#     reference capture extension is not built).
# Goldens are rewritten on purpose only by analyzer/tests/regen.sh.
set -u
. "$(dirname "$0")/lib.sh"
setup

FAILS=0
fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

# expect_status WANT GOT WHAT
expect_status() {
    [ "$1" = "$2" ] || fail "$3: exit status $2, expected $1"
}

# ---- 1. Determinism ----
"$GEN" fixture violations "$WORK/violations2.pcap" || fail "xsw-an-gen failed"
cmp -s "$WORK/violations.pcap" "$WORK/violations2.pcap" || fail "xsw-an-gen fixture violations is not deterministic"

# ---- 2. Golden summaries ----
# The spec files belong to suite/ and grow: the number of rules loaded and
# evaluated and the line numbers of rules in their files are not compared.
normalize() {
    sed -E -e 's/^Rules: [0-9]+ loaded, [0-9]+ evaluated \([0-9]+ evaluations\)/Rules: N loaded, N evaluated (N evaluations)/' \
        -e 's/(\.yaml):[0-9]+\)$/\1:N)/' "$1"
}
echo "$GOLDEN_CASES" >"$WORK/cases"
while IFS=: read -r name args; do
    # shellcheck disable=SC2086
    an $args >"$WORK/$name.txt"
    st=$?
    if [ ! -f "$GOLDEN/$name.txt" ]; then
        fail "$name: no golden file (run analyzer/tests/regen.sh)"
    elif ! normalize "$GOLDEN/$name.txt" >"$WORK/$name.golden" ||
        ! normalize "$WORK/$name.txt" | diff -u "$WORK/$name.golden" - >"$WORK/$name.diff"; then
        fail "$name: summary differs from analyzer/tests/golden/$name.txt:"
        head -n 40 "$WORK/$name.diff"
    fi
    case $name in
        clean | netvsc-clean) want=0 ;;
        violations | netvsc-switch-before-assoc | several) want=1 ;;
        netvsc-perf-explicit) want=2 ;; # a malformed event line
        *) want=x ;;
    esac
    expect_status $want $st "xsw-analyze $args"
done <"$WORK/cases"
an --strict netvsc/clean.txt >/dev/null
expect_status 0 $? "--strict on the clean text"
an --rule XSW-NVSP-007 --strict netvsc/perf-explicit.txt >/dev/null
expect_status 2 $? "--strict with an input error"

# ---- 3. JSON and JUnit ----
an --json v.json --junit v.xml violations.pcap netvsc/switch-before-assoc.txt >/dev/null
expect_status 1 $? "--json/--junit run"
if command -v python3 >/dev/null 2>&1; then
    out=$(python3 - "$WORK/v.json" "$WORK/v.xml" <<'EOF' 2>&1
import json, sys, xml.dom.minidom
d = json.load(open(sys.argv[1]))
assert d["status"] == 1, d["status"]
t0, t1 = d["traces"]
assert t0["format"] == "pcap" and t0["complete"] and t0["violations_total"] == 7, t0["violations_total"]
pairs = sorted((v["rule"], v["frame"]) for v in t0["violations"])
assert pairs == [("XSW-DP-001", 222), ("XSW-DP-003", 190), ("XSW-DP-005", 190), ("XSW-HAR-001", 191),
                 ("XSW-NVSP-006", 163), ("XSW-NVSP-011", 165), ("XSW-NVSP-012", 172)], pairs
assert t0["summary"]["paths"]["vf_from_vm"]["packets"] == 2
assert t0["summary"]["vf_failover"]["switches_measured"] == 2
assert t1["format"] == "netvsc-text" and [(v["rule"], v["frame"]) for v in t1["violations"]] == [("XSW-NVSP-006", 14)]
x = xml.dom.minidom.parse(sys.argv[2])
fails = [tc.getAttribute("name") for tc in x.getElementsByTagName("testcase") if tc.getElementsByTagName("failure")]
assert sorted(fails) == ["XSW-DP-001 (MUST)", "XSW-DP-003 (MUST)", "XSW-DP-005 (MUST)", "XSW-HAR-001 (MUST)",
                         "XSW-NVSP-006 (MUST)", "XSW-NVSP-006 (MUST)", "XSW-NVSP-011 (MUST)"], fails
EOF
    ) || fail "JSON / JUnit content: $out"
else
    echo "SKIP: python3 not found: JSON and JUnit content not checked here (the unit tests validate both)"
fi

# ---- 4. Annotated trace ----
an -q --annotate ann.pcap violations.pcap >"$WORK/ann.out"
expect_status 1 $? "--annotate"
grep -q "violations.pcap: FAIL (222 frames, 7 violations" "$WORK/ann.out" || fail "--annotate summary: $(cat "$WORK/ann.out")"
an -q ann.pcap >"$WORK/ann2.out"
expect_status 1 $? "analysis of the annotated trace"
grep -q "ann.pcap: FAIL (229 frames, 7 violations" "$WORK/ann2.out" || fail "annotated trace: $(cat "$WORK/ann2.out")"
an -q --annotate ann.pcap violations.pcap clean.pcap >/dev/null
expect_status 2 $? "--annotate with two traces"
PLUGIN=$B/dissectors/xsw.so
if command -v tshark >/dev/null 2>&1 && [ -f "$PLUGIN" ]; then
    STAGE=$(mktemp -d "${TMPDIR:-/tmp}/xsw-an-test.XXXXXX")
    chmod 755 "$STAGE"
    mkdir -p "$STAGE/.local/lib/wireshark/plugins/4.0/epan"
    cp "$PLUGIN" "$STAGE/.local/lib/wireshark/plugins/4.0/epan/xsw.so"
    cp "$WORK/ann.pcap" "$STAGE/"
    chmod -R a+rX "$STAGE"
    AS_USER=""
    [ "$(id -u)" = 0 ] && AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
    got=$($AS_USER env -i HOME="$STAGE" TZ=UTC LC_ALL=C PATH=/usr/bin:/bin tshark -r "$STAGE/ann.pcap" \
        -Y xsw.verdict.judged_frame -T fields -e frame.number -e xsw.verdict.rule -e xsw.verdict.judged_frame \
        2>/dev/null | tr '\t' ' ')
    want="164 XSW-NVSP-006 163
167 XSW-NVSP-011 166
175 XSW-NVSP-012 174
194 XSW-DP-003 193
195 XSW-DP-005 193
197 XSW-HAR-001 196
229 XSW-DP-001 198"
    [ "$got" = "$want" ] || fail "tshark shows the verdicts as:
$got
expected:
$want"
    rm -rf "$STAGE"
else
    echo "SKIP: tshark or $PLUGIN missing: verdicts not checked through the dissector"
fi

# ---- 5. Bad inputs ----
# bad NAME KIND WANT_STATUS STDERR_PATTERN STDOUT_PATTERN
bad() {
    if [ "$2" != none ]; then
        "$GEN" bad "$2" "$WORK/clean.pcap" "$WORK/$1" || {
            fail "xsw-an-gen bad $2 failed"
            return
        }
    fi
    (cd "$WORK" && "$AN" --spec specs "$1" >"$1.out" 2>"$1.err")
    st=$?
    expect_status "$3" $st "bad input $1"
    grep -q -- "$4" "$WORK/$1.err" || fail "bad input $1: stderr lacks \"$4\": $(cat "$WORK/$1.err")"
    [ -z "$5" ] || grep -q -- "$5" "$WORK/$1.out" || fail "bad input $1: summary lacks \"$5\": $(head -5 "$WORK/$1.out")"
}
bad cut.pcap cut 2 "cut.pcap frame 213 offset 20: the file ends inside this frame" "Records: 212 decoded"
grep -q "^== cut.pcap (pcap) INCOMPLETE" "$WORK/cut.pcap.out" || fail "cut.pcap: summary not marked INCOMPLETE"
grep -q "^Result: INCOMPLETE: the input was not read to its end; everything before frame 213 was analyzed" \
    "$WORK/cut.pcap.out" || fail "cut.pcap: no INCOMPLETE result line"
bad header.pcap header 2 "header.pcap: cannot open as pcap or pcapng" "Result: ERROR"
bad version.pcap version 2 "version.pcap frame 3 offset 12: field version" "Records: 212 decoded"
grep -q "^Result: ERROR" "$WORK/version.pcap.out" || fail "version.pcap: result is not ERROR"
bad reclen.pcap reclen 2 "reclen.pcap frame 3 offset 16: field rec_len" "Records: 212 decoded"
bad caplen.pcap caplen 2 "caplen.pcap frame 3 offset [0-9]*: frame captured to [0-9]* of its [0-9]* bytes" "Records: 212 decoded"
bad ether.pcap linktype 2 "ether.pcap: link type 1 (EN10MB) is not an xsw trace" ""
bad garbage.bin garbage 2 "garbage.bin offset 0: not a pcap, pcapng or netvsc trace text" ""
bad empty.pcap empty 2 "empty.pcap offset 0: empty file" ""
bad missing.pcap none 2 "missing.pcap: cannot open" ""
if command -v editcap >/dev/null 2>&1; then
    editcap -F pcapng "$WORK/clean.pcap" "$WORK/clean.pcapng" 2>/dev/null || fail "editcap -F pcapng failed"
    an clean.pcapng >"$WORK/ng.out"
    expect_status 0 $? "pcapng input"
    sed -e 's/^== clean.pcapng (pcapng)/== clean.pcap (pcap)/' "$WORK/ng.out" | diff -u "$WORK/clean.txt" - >"$WORK/ng.diff" ||
        fail "pcapng input: summary differs from the pcap one: $(head -20 "$WORK/ng.diff")"
    size=$(wc -c <"$WORK/clean.pcapng")
    head -c $((size - 100)) "$WORK/clean.pcapng" >"$WORK/cut.pcapng"
    bad cut.pcapng none 2 "cut.pcapng frame 213 offset 0: the file ends inside this frame" "Records: 212 decoded"
else
    echo "SKIP: editcap not found: pcapng input not checked"
fi
awk 'BEGIN { printf "x [000] 1.0: nvsp_send: dev=eth0 type=INIT\n"; s = "x"; for (i = 0; i < 17; i++) s = s s;
             printf "%s\n", s; printf "x [000] 1.2: nvsp_recv: dev=eth0 qid=0 type=INIT_COMPLETE\n" }' >"$WORK/long.txt"
bad long.txt none 2 "long.txt line 2 col 1: line longer than 65536 bytes; skipped" "netvsc events: 2"
printf 'x [000] 1.0: nvsp_send: dev=eth0 type=INIT\nx [000] 1.1: nvsp_\000send: dev=eth0\n# tracer: nop\n' >"$WORK/nul.txt"
bad nul.txt none 2 "nul.txt line 2 col 19: NUL byte in a text trace; line skipped" "netvsc events: 1"

# ---- 6. Usage, --rule, --class ----
an --rule XSW-NO-SUCH clean.pcap >/dev/null
expect_status 2 $? "--rule with an unknown id"
an --class 0=router clean.pcap >/dev/null
expect_status 2 $? "--class with an unknown class"
an --bogus clean.pcap >/dev/null
expect_status 2 $? "unknown option"
an >/dev/null
expect_status 2 $? "no input"
an -q --rule XSW-DP-005 violations.pcap >"$WORK/rule.out"
expect_status 1 $? "--rule XSW-DP-005"
grep -q "violations.pcap: FAIL (222 frames, 1 violations: 1 MUST" "$WORK/rule.out" || fail "--rule: $(cat "$WORK/rule.out")"
an -q --rule XSW-DP-003 --class 0=filter violations.pcap >"$WORK/class.out"
expect_status 0 $? "--class 0=filter (XSW-DP-003 is for capturing extensions)"
an --no-check -q violations.pcap >"$WORK/nocheck.out"
expect_status 1 $? "--no-check (the NVSP rules still run)"
grep -q "3 violations: 2 MUST, 1 SHOULD" "$WORK/nocheck.out" || fail "--no-check: $(cat "$WORK/nocheck.out")"

# ---- 7. Verdicts match xsw-suite ----
# The reference capture extension (no violations) and the broken fixtures
# that violate rules without crashing or hanging, each run as a capture.
SUITE=$B/bin/xsw-suite
if [ ! -x "$SUITE" ] || [ ! -f "$B/ext/capture.so" ]; then
    echo "SKIP: verdicts vs xsw-suite: $SUITE or $B/ext/capture.so not built yet"
elif ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: verdicts vs xsw-suite: python3 not found"
else
    compared=0
    for ext in "$B/ext/capture.so" "$B/ext/broken/drop-unreported.so" "$B/ext/broken/leak-nbl.so" \
        "$B/ext/broken/unbalanced-ref.so" "$B/ext/broken/double-complete.so" "$B/ext/broken/capture-modifies.so"; do
        [ -f "$ext" ] || continue
        name=$(basename "$ext" .so)
        rm -rf "$WORK/suite-$name"
        "$SUITE" run --extension "$ext" --class capture --traces "$WORK/suite-$name" --json "$WORK/suite-$name.json" \
            >"$WORK/suite-$name.out" 2>&1
        st=$?
        if [ "$st" -gt 1 ] || [ ! -f "$WORK/suite-$name.json" ]; then
            fail "xsw-suite run with $name failed (status $st): $(tail -5 "$WORK/suite-$name.out")"
            continue
        fi
        # Every trace the run wrote: each case's trace and, for live migration, the destination
        # host's; the suite names the trace each violation is in.
        for trace in $(python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]:
    print(c["trace"])
    if c.get("destination_trace"): print(c["destination_trace"])' "$WORK/suite-$name.json"); do
            "$AN" --spec "$ROOT/suite/specs" -q --max-violations 10000000 --json "$WORK/an.json" "$trace" >/dev/null 2>&1
            out=$(python3 - "$WORK/suite-$name.json" "$WORK/an.json" "$trace" <<'EOF' 2>&1
import json, sys
suite = json.load(open(sys.argv[1]))
an = json.load(open(sys.argv[2]))["traces"][0]
trace = sys.argv[3]
case = [c for c in suite["cases"] if trace in (c["trace"], c.get("destination_trace"))][0]
want = sorted((v["rule"], v["frame"]) for v in case["violations"] if v.get("trace", case["trace"]) == trace)
# xsw-suite checks the built-in NVSP rules too (suite/builtin.c): every rule is compared.
got = sorted((v["rule"], v["frame"]) for v in an["violations"])
if want != got:
    print("case %s (%s): only in the suite %s, only in the analyzer %s" % (case["name"], trace,
          sorted(set(want) - set(got))[:10], sorted(set(got) - set(want))[:10]))
    sys.exit(1)
EOF
            ) || fail "verdicts differ from xsw-suite ($name): $out"
            compared=$((compared + 1))
        done
    done
    echo "verdicts vs xsw-suite: $compared traces compared"
fi

if [ "$FAILS" != 0 ]; then
    echo "analyzer/tests: $FAILS failure(s)"
    exit 1
fi
echo "analyzer/tests: all passed"
