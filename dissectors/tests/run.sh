#!/bin/sh
# run.sh - script test of the xsw Wireshark plugin (registered in TEST_SCRIPTS
# by dissectors/dissectors.mk; run by `make test`, or alone as
# `XSW_BUILD=build/h4 sh dissectors/tests/run.sh`).
#
# Checks, each printing what differed and making the script exit non-zero:
#  1. the fixture generator still writes fixtures/dissector/*.pcap byte for byte;
#  2. tshark loads the plugin and `tshark -G fields` lists the fields (golden);
#  3. golden `-V -O xsw,vmbus,nvsp,rndis` and `-T fields` outputs of the fixtures,
#     the "xsw ports" statistics tree and the flow graph;
#  4. every fixture frame decodes with no malformed packet and no expert info of
#     the Malformed, Protocol or Undecoded groups, and the fixtures cover every
#     record kind, VMBus packet type, NVSP and RNDIS message type of the .def tables;
#  5. the hex cases of tests/hex/ give their golden expert infos, contain every
#     "expect:" text in the frame it belongs to, and raise no exception;
#  6. 20 fuzzed copies of each fixture (editcap -E 0.02 -o 12, fixed seeds) dissect
#     without a crash or a dissector bug.
# Goldens are rewritten on purpose only by dissectors/tests/regen.sh.
set -u
. "$(dirname "$0")/lib.sh"
setup

FAILS=0
fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

# compare NAME ACTUAL: diff against expected/NAME.
compare() {
    if [ ! -f "$EXPECTED/$1" ]; then
        fail "$1: no golden file (run dissectors/tests/regen.sh)"
    elif ! diff -u "$EXPECTED/$1" "$2" >"$WORK/$1.diff"; then
        fail "$1 differs from the golden output:"
        head -n 60 "$WORK/$1.diff"
    fi
}

# 1. Fixture drift.
mkdir -p "$WORK/fresh"
if ! "$MKFIX" "$WORK/fresh"; then
    fail "mkfixtures failed"
fi
for f in $FIXTURE_NAMES; do
    if ! cmp "$FIXTURES/$f.pcap" "$WORK/fresh/$f.pcap"; then
        fail "fixtures/dissector/$f.pcap differs from what mkfixtures writes now (regen.sh rewrites it)"
    fi
done

# 2. The plugin loads and registers its fields.
if ! ts -G plugins 2>/dev/null | grep -q 'xsw\.so.*dissector'; then
    fail "tshark -G plugins does not list xsw.so"
fi
out_field_list >"$WORK/fields.txt"
for fld in xsw.oid xsw.port_id xsw.nic_index xsw.point_name xsw.verdict.judged_frame nvsp.type rndis.ppi.type \
    rndis.msg_type vmbus.trans_id vmbus.range.pfn; do
    awk -F '\t' -v f="$fld" '$3 == f { found = 1 } END { exit !found }' "$WORK/fields.txt" ||
        fail "tshark -G fields does not list $fld"
done
compare fields.txt "$WORK/fields.txt"

# 3 and 4. Goldens and cleanliness of the fixtures.
for f in $FIXTURE_NAMES; do
    pc=$(stage_file "$FIXTURES/$f.pcap")
    out_verbose "$pc" >"$WORK/$f.V.txt"
    compare "$f.V.txt" "$WORK/$f.V.txt"
    out_fields "$pc" >"$WORK/$f.fields.txt"
    compare "$f.fields.txt" "$WORK/$f.fields.txt"
    bad=$(ts -2 -r "$pc" -Y '_ws.malformed || _ws.expert.group == 0x07000000 || _ws.expert.group == 0x09000000 || _ws.expert.group == 0x05000000' \
        -T fields -e frame.number -e _ws.expert.message 2>/dev/null)
    [ -z "$bad" ] || fail "$f.pcap: frames with protocol problems:
$bad"
    undecoded=$(ts -2 -r "$pc" -Y '!xsw' -T fields -e frame.number 2>/dev/null)
    [ -z "$undecoded" ] || fail "$f.pcap: frames not decoded as xsw: $undecoded"
done
rec=$WORK/records.pcap
net=$WORK/netvsc.pcap
out_stats "$rec" >"$WORK/records.stats.txt"
compare records.stats.txt "$WORK/records.stats.txt"
out_flow "$rec" >"$WORK/records.flow.txt"
compare records.flow.txt "$WORK/records.flow.txt"

# Coverage of the shared tables: values listed in a .def file that a fixture lacks.
# cover DEF MACRO FIELD PCAP BASE: BASE 16 when the field prints in hex.
cover() {
    want=$(sed -n "s/^$2([^,]*, *\([0-9A-Fa-fx]*\).*/\1/p" "$ROOT/include/xsw/defs/$1")
    have=$(ts -2 -r "$4" -T fields -E occurrence=a -E aggregator=, -e "$3" 2>/dev/null | tr ',' '\n' | sort -u)
    for v in $want; do
        n=$(printf '%d' "$v")
        found=0
        for h in $have; do
            [ "$(printf '%d' "$h")" = "$n" ] && found=1 && break
        done
        [ $found = 1 ] || fail "$(basename "$4"): no $3 == $v ($1)"
    done
}
cover trace_kinds.def XSW_KIND xsw.kind "$rec"
cover vmbus_pkt_types.def XSW_VMBUS_PKT vmbus.type "$net"
cover nvsp_types.def XSW_NVSP_MSG nvsp.type "$net"
cover rndis_msg.def XSW_RNDIS_MSG rndis.msg_type "$net"
# Link fields that must be present: completions to requests at every level.
for chk in 'xsw.oid.request_in' 'xsw.oid.parent_in' 'xsw.nbl.closed_in' 'xsw.verdict_in'; do
    [ -n "$(ts -2 -r "$rec" -Y "$chk" -T fields -e frame.number 2>/dev/null)" ] || fail "records.pcap: no $chk"
done
for chk in 'vmbus.request_in' 'rndis.request_in' 'rndis.ppi.type == 6' 'rndis.ppi.internal' 'eth'; do
    [ -n "$(ts -2 -r "$net" -Y "$chk" -T fields -e frame.number 2>/dev/null)" ] || fail "netvsc.pcap: no $chk"
done

# 5. Hex cases.
for h in $HEX_NAMES; do
    if ! hex_pcap "$h"; then
        fail "hex/$h.hex: text2pcap failed"
        continue
    fi
    out_hex "$WORK/hex-$h.pcap" >"$WORK/hex-$h.txt.out"
    compare "hex-$h.txt" "$WORK/hex-$h.txt.out"
    while IFS="$(printf '\t')" read -r frame text; do
        line=$(awk -F '\t' -v n="$frame" '$1 == n' "$WORK/hex-$h.txt.out")
        case $line in
            *"$text"*) ;;
            *) fail "hex/$h.hex frame $frame: expected expert info \"$text\", got: $line" ;;
        esac
    done <"$WORK/hex-$h.exp"
    frames=$(awk 'END { print NR }' "$WORK/hex-$h.txt.out")
    cases=$(cut -f1 "$WORK/hex-$h.exp" | sort -u | awk 'END { print NR }')
    [ "$frames" = "$cases" ] || fail "hex/$h.hex: $frames frames but $cases with expectations"
    exc=$(ts -2 -r "$WORK/hex-$h.pcap" -Y '_ws.malformed.expert || _ws.malformed.dissector_bug || _ws.short' \
        -T fields -e frame.number 2>/dev/null | tr '\n' ' ')
    [ -z "$exc" ] || fail "hex/$h.hex: exceptions instead of expert info in frames: $exc"
done

# 6. Fuzzing: fixed seeds so that a failure can be replayed.
for f in $FIXTURE_NAMES; do
    seed=1
    while [ $seed -le 20 ]; do
        fz=$WORK/fuzz-$f-$seed.pcap
        # -o 12 keeps the exported-PDU tags intact so every frame reaches the plugin.
        editcap -E 0.02 -o 12 --seed $seed "$FIXTURES/$f.pcap" "$fz" >/dev/null 2>&1 || fail "editcap failed on $f"
        chmod a+r "$fz"
        ts -2 -V -r "$fz" >/dev/null 2>"$WORK/fuzz.err"
        rc=$?
        if [ $rc -ge 2 ]; then
            fail "fuzz $f seed $seed: tshark exited with $rc (replay: editcap -E 0.02 -o 12 --seed $seed)"
        fi
        if grep -q 'Dissector bug' "$WORK/fuzz.err"; then
            fail "fuzz $f seed $seed: $(grep -m1 'Dissector bug' "$WORK/fuzz.err")"
        fi
        rm -f "$fz"
        seed=$((seed + 1))
    done
done

if [ $FAILS -ne 0 ]; then
    echo "dissectors/tests/run.sh: $FAILS check(s) failed (work files in $WORK)"
    exit 1
fi
echo "dissectors/tests/run.sh: all checks passed"
exit 0
