#!/bin/sh
# tests/extensions.sh - the bundled NDIS extensions under the reference
# switch (xsw-switch), as the harness alone judges them.
#
#  - Every reference extension (reference/extensions/: capture, filter,
#    forward), alone and stacked capture+filter+forward, runs every scenario
#    of `xsw-switch list`, with synchronous and with pended OID completion:
#    exit status 0, no finding, a trace written, and traffic seen by each
#    extension (the counters each one prints with DbgPrint at detach,
#    XSW_DBGPRINT=1).
#  - Every deliberately broken extension (fixtures/extensions/) runs
#    vm-lifecycle and attach-active: the exit status and the finding names
#    (XSW_VERBOSE_FINDINGS=1) must be what its header comment says the
#    harness itself detects. Rule-level verdicts are xsw-suite's business.
#    crash and hang cannot run in-process: they are only required to build.
#
# Environment: XSW_BUILD (build dir, default build). Exits non-zero on failure
# and prints what differed.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${XSW_BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
SW=$B/bin/xsw-switch
EXT=$B/ext
TMP=$(mktemp -d "${TMPDIR:-/tmp}/xsw-ext-test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
failures=0
checks=0

fail() {
    echo "FAIL $*"
    failures=$((failures + 1))
}

[ -x "$SW" ] || { echo "tests/extensions.sh: $SW not built"; exit 1; }
for so in capture filter forward; do
    [ -f "$EXT/$so.so" ] || { echo "tests/extensions.sh: $EXT/$so.so not built"; exit 1; }
done

# run LABEL ARGS...: xsw-switch run with a trace, findings and DbgPrint on
# stderr; sets RC and OUT (stdout+stderr), TRACE.
run() {
    label=$1
    shift
    TRACE=$TMP/$label.pcap
    OUT=$TMP/$label.out
    XSW_VERBOSE_FINDINGS=1 XSW_DBGPRINT=1 "$SW" run "$@" --trace "$TRACE" >"$OUT" 2>&1
    RC=$?
    checks=$((checks + 1))
}

show() {
    sed 's/^/    | /' "$OUT" | head -20
}

# counter OUTFILE PREFIX REGEX: the first number after REGEX on the line that
# starts with PREFIX (DbgPrint of the extension at detach), or empty.
counter() {
    grep "^$2" "$1" | sed -n "s/.*$3 *\([0-9][0-9]*\).*/\1/p" | head -1
}

positive() {
    case $1 in '' | 0 | *[!0-9]*) return 1 ;; *) return 0 ;; esac
}

# Traffic each reference extension saw, from its DbgPrint line.
check_traffic() {
    label=$1
    shift
    for e in "$@"; do
        case $e in
        capture)
            v=$(counter "$OUT" xswcapture: 'ingress')
            w=$(counter "$OUT" xswcapture: 'egress')
            ;;
        filter)
            v=$(counter "$OUT" xswfilter: 'ingress')
            w=$(counter "$OUT" xswfilter: 'egress')
            ;;
        forward)
            v=$(counter "$OUT" xswforward: ':')
            w=$(counter "$OUT" xswforward: 'unicast,')
            ;;
        esac
        if ! positive "$v" || ! positive "$w"; then
            fail "$label: $e saw no traffic (counters '$v' '$w')"
            show
        fi
    done
}

check_clean() {
    label=$1
    shift
    if [ "$RC" -ne 0 ]; then
        fail "$label: exit status $RC, expected 0"
        show
        return
    fi
    if ! grep -q ': 0 finding(s)' "$OUT" || grep -q '^xsw: finding' "$OUT"; then
        fail "$label: findings recorded"
        show
        return
    fi
    n=$(sed -n 's/.*, \([0-9][0-9]*\) records in .*/\1/p' "$OUT")
    if ! positive "$n" || [ ! -s "$TRACE" ]; then
        fail "$label: no trace written (records '$n')"
        show
        return
    fi
    check_traffic "$label" "$@"
}

SCENARIOS=$("$SW" list | awk '{print $1}')
[ -n "$SCENARIOS" ] || { echo "tests/extensions.sh: xsw-switch list shows no scenario"; exit 1; }

# ---- Reference extensions ---------------------------------------------------------------
for sc in $SCENARIOS; do
    for pend in "" --pend-oids; do
        tag=$sc${pend:+-pend}
        for e in capture filter forward; do
            run "$e-$tag" --extension "$EXT/$e.so" --class "$e" --scenario "$sc" $pend
            check_clean "$e $sc $pend" "$e"
        done
        run "stack-$tag" --extension "$EXT/capture.so" --class capture --extension "$EXT/filter.so" --class filter \
            --extension "$EXT/forward.so" --class forward --scenario "$sc" $pend
        check_clean "capture+filter+forward $sc $pend" capture filter forward
    done
done

# Long chains and more VMs than a destination array holds inline: the
# forwarding extension floods to 13 ports (GrowNetBufferListDestinations).
# Floods: the gateway's ARP and the 12 VMs' ARPs (broadcast), the frame to
# the unowned address 02:00:5e:00:00:66, and the 2 frames VM 1 sends to VM 0
# after VM 0's NIC_DISCONNECT (forgotten, so unknown unicast) = 16.
run forward-wide --extension "$EXT/forward.so" --class forward --vms 12 --packets 6 --chain 3
check_clean "forward --vms 12" forward
if [ "$(counter "$OUT" xswforward: 'unicast,')" != 16 ]; then
    fail "forward --vms 12: expected 16 flooded packets"
    show
fi

# ---- Broken extensions ------------------------------------------------------------------
# name class exit-status findings ("-" = none); one line each.
BROKEN='
fail-nic-connect    capture 0 -
port-create-success capture 0 -
leak-nbl            capture 1 NBL_LEAK
double-complete     capture 1 NBL_DOUBLE_COMPLETE
drop-unreported     filter  0 -
capture-modifies    capture 0 -
pend-forever        capture 1 OID_NOT_COMPLETED
unbalanced-ref      capture 1 REFERENCE_UNBALANCED
restore-foreign     forward 0 -
nic-array-early     capture 0 -
fail-free-vf        capture 0 -
drop-after-failover capture 0 -
lose-foreign-blob   forward 0 -
remove-vf-unassigned forward 0 -
remove-vf-noref     forward 0 -
'
while read -r name cls want_rc want_finding; do
    [ -n "$name" ] || continue
    so=$EXT/broken/$name.so
    if [ ! -f "$so" ]; then
        fail "$name: $so not built"
        continue
    fi
    for sc in vm-lifecycle attach-active; do
        run "broken-$name-$sc" --extension "$so" --class "$cls" --scenario "$sc"
        got=$(sed -n 's/^xsw: finding \([A-Z_]*\) .*/\1/p' "$OUT" | sort -u | tr '\n' ' ' | sed 's/ $//')
        [ -n "$got" ] || got=-
        if [ "$RC" -ne "$want_rc" ] || [ "$got" != "$want_finding" ]; then
            fail "broken $name ($sc): expected exit $want_rc with findings '$want_finding', got exit $RC with '$got'"
            show
        fi
    done
done <<EOF
$BROKEN
EOF

# dest-disconnected: BAD_DESTINATION needs traffic between a NIC_DISCONNECT
# and the PORT_DELETE of that port. Any finding must be that one; if no
# scenario produces it yet, the gap is reported (XFAIL), not hidden.
so=$EXT/broken/dest-disconnected.so
seen=
if [ ! -f "$so" ]; then
    fail "dest-disconnected: $so not built"
else
    for sc in $SCENARIOS; do
        run "broken-dest-disconnected-$sc" --extension "$so" --class forward --scenario "$sc"
        got=$(sed -n 's/^xsw: finding \([A-Z_]*\) .*/\1/p' "$OUT" | sort -u | tr '\n' ' ' | sed 's/ $//')
        case "$RC:$got" in
        0:) ;;
        1:BAD_DESTINATION) seen=$sc ;;
        *)
            fail "broken dest-disconnected ($sc): expected exit 0 or 1 with BAD_DESTINATION, got exit $RC with '$got'"
            show
            ;;
        esac
    done
    [ -n "$seen" ] ||
        echo "XFAIL dest-disconnected: no scenario sends traffic after a NIC_DISCONNECT, so BAD_DESTINATION cannot show"
fi

for name in crash hang; do
    checks=$((checks + 1))
    [ -f "$EXT/broken/$name.so" ] || fail "$name: $EXT/broken/$name.so not built"
done

if [ "$failures" -ne 0 ]; then
    echo "tests/extensions.sh: $failures failure(s)"
    exit 1
fi
echo "tests/extensions.sh: all $checks checks passed"
