#!/bin/sh
# recordings.sh - the scenario recordings in fixtures/scenarios/:
#  - regenerating them gives byte-identical files (they are reviewed like
#    source; scripts/record-scenarios.sh rewrites them on purpose);
#  - each replays against the capturing, filtering and forwarding reference
#    extensions with no finding, and the live migration's two recordings
#    replay as a pair;
#  - replaying a recording reproduces the live run of the same scenario
#    record for record (apart from the META record);
#  - a damaged recording stops the replay with its frame number, exit 2.
set -u
B=${XSW_BUILD:-build}
SW="$B/bin/xsw-switch"
T=$(mktemp -d /tmp/xsw-rec-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
checks=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { checks=$((checks + 1)); }

sh scripts/record-scenarios.sh "$B" "$T/regen" >"$T/regen.log" 2>&1 ||
    { fail "record-scenarios.sh failed:"; sed 's/^/    | /' "$T/regen.log"; }
for f in fixtures/scenarios/*.pcap; do
    if cmp -s "$f" "$T/regen/$(basename "$f")"; then ok; else
        fail "$f differs from a fresh recording (run scripts/record-scenarios.sh $B and review)"; fi
done

for r in vm-lifecycle attach-active save-restore vf-failover; do
    for e in capture filter forward; do
        if "$SW" replay --recording "fixtures/scenarios/$r.pcap" --extension "$B/ext/$e.so" --class "$e" \
            --trace "$T/$r-$e.pcap" >"$T/out.txt" 2>&1 && grep -q ': 0 finding(s)' "$T/out.txt"; then ok; else
            fail "replay of $r against $e:"; sed 's/^/    | /' "$T/out.txt"; fi
    done
done
if "$SW" replay --recording fixtures/scenarios/live-migration.pcap \
    --recording fixtures/scenarios/live-migration-destination.pcap --extension "$B/ext/forward.so" --class forward \
    --trace "$T/lm.pcap" >"$T/out.txt" 2>&1 && [ -s "$T/lm-destination.pcap" ]; then ok; else
    fail "live-migration pair replay:"; sed 's/^/    | /' "$T/out.txt"; fi

# Replay == live run (same extension, same parameters): every record after META, byte for byte.
if "$SW" run --scenario vf-failover --synthetic --vms 2 --packets 4 --chain 2 --vf-events 2 --seed 10 \
    --extension "$B/ext/capture.so" --class capture --trace "$T/live.pcap" --quiet >"$T/live.txt" 2>&1; then
    if out=$(python3 - "$T/live.pcap" "$T/vf-failover-capture.pcap" <<'EOF'
import struct, sys
def frames(path):
    d = open(path, "rb").read()
    off, out = 24, []
    while off + 16 <= len(d):
        incl = struct.unpack_from("<I", d, off + 8)[0]
        out.append(d[off + 16:off + 16 + incl])
        off += 16 + incl
    return out[1:]  # META names the run (replay or live) and differs
a, b = frames(sys.argv[1]), frames(sys.argv[2])
diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
if len(a) != len(b) or diff is not None:
    print("live %d records, replay %d; first difference at frame %s" % (len(a) + 1, len(b) + 1,
          "none" if diff is None else diff + 2))
    sys.exit(1)
EOF
    ); then ok; else fail "replay and live run differ: $out"; fi
else
    fail "live vf-failover run:"; sed 's/^/    | /' "$T/live.txt"
fi

# A damaged recording: cut in the middle of a record.
head -c 5000 fixtures/scenarios/vm-lifecycle.pcap >"$T/cut.pcap"
"$SW" replay --recording "$T/cut.pcap" --extension "$B/ext/capture.so" --class capture >"$T/out.txt" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q 'cut\.pcap.*frame [0-9][0-9]* offset [0-9]' "$T/out.txt"; then ok; else fail "cut recording: exit $rc"; sed 's/^/    | /' "$T/out.txt"; fi

echo "recordings.sh: $checks checks passed, $fails failed"
[ "$fails" = 0 ]
