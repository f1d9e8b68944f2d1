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

sh scripts/record-scenarios.sh "$B" "$T/regen" >/dev/null 2>&1 || fail "record-scenarios.sh failed"
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

# Replay == live run (same extension, same parameters), apart from META.
"$SW" run --scenario vf-failover --synthetic --vms 2 --packets 4 --chain 2 --vf-events 2 --seed 10 \
    --extension "$B/ext/capture.so" --class capture --trace "$T/live.pcap" --quiet
if [ -x "$B/bin/xsw-analyze" ]; then
    live=$("$B/bin/xsw-analyze" --no-check -q --json "$T/live.json" "$T/live.pcap" >/dev/null 2>&1; grep -o '"records": [0-9]*' "$T/live.json" | head -1)
    rep=$("$B/bin/xsw-analyze" --no-check -q --json "$T/rep.json" "$T/vf-failover-capture.pcap" >/dev/null 2>&1; grep -o '"records": [0-9]*' "$T/rep.json" | head -1)
    if [ -n "$live" ] && [ "$live" = "$rep" ]; then ok; else fail "replay and live run differ: live [$live] replay [$rep]"; fi
fi

# A damaged recording: cut in the middle of a record.
head -c 5000 fixtures/scenarios/vm-lifecycle.pcap >"$T/cut.pcap"
"$SW" replay --recording "$T/cut.pcap" --extension "$B/ext/capture.so" --class capture >"$T/out.txt" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q "frame" "$T/out.txt"; then ok; else fail "cut recording: exit $rc"; sed 's/^/    | /' "$T/out.txt"; fi

echo "recordings.sh: $checks checks passed, $fails failed"
[ "$fails" = 0 ]
