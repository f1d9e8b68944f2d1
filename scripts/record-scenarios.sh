#!/bin/sh
# record-scenarios.sh - (re)generate the scenario recordings in
# fixtures/scenarios/: each is a scenario played with no extension loaded, so
# it holds only the switch's stimuli (protocol-edge OIDs, traffic, VMBus and
# VF events). Deterministic: the same command gives byte-identical files,
# which tests/recordings.sh checks. Replay them against any extension with
#   xsw-switch replay --recording fixtures/scenarios/NAME.pcap --extension X.so --class C --trace OUT
#
#   scripts/record-scenarios.sh BUILD_DIR [OUT_DIR]
set -eu
B=${1:-build}
OUT=${2:-fixtures/scenarios}
SW="$B/bin/xsw-switch"
mkdir -p "$OUT"
rec() {
    name=$1
    shift
    "$SW" record --out "$OUT/$name.pcap" --quiet "$@"
}
rec vm-lifecycle      --scenario vm-lifecycle   --synthetic --vms 4 --packets 8 --chain 4 --seed 1
rec attach-active     --scenario attach-active  --synthetic --vms 4 --packets 4 --chain 2 --seed 3
rec save-restore      --scenario save-restore   --vms 3 --packets 4 --chain 2 --seed 5
rec vf-failover       --scenario vf-failover    --synthetic --vms 2 --packets 4 --chain 2 --vf-events 2 --seed 10
# Two hosts: live-migration.pcap (source) and live-migration-destination.pcap.
rec live-migration    --scenario live-migration --seed 7
