#!/bin/sh
# regen.sh - rewrite the dissector fixtures and golden files on purpose, after
# a deliberate change to the plugin, the fixture generator or the .def tables:
#
#   make B=build/h4 build/h4/dissectors/xsw.so build/h4/dissectors/mkfixtures
#   XSW_BUILD=build/h4 sh dissectors/tests/regen.sh
#   git diff fixtures/dissector dissectors/tests/expected   # review every change
#
# It writes fixtures/dissector/*.pcap with mkfixtures and the golden outputs in
# dissectors/tests/expected/ with exactly the commands run.sh compares against.
set -u
. "$(dirname "$0")/lib.sh"
setup

mkdir -p "$FIXTURES" "$EXPECTED"
"$MKFIX" "$FIXTURES" || die "mkfixtures failed"
out_field_list >"$EXPECTED/fields.txt"
for f in $FIXTURE_NAMES; do
    pc=$(stage_file "$FIXTURES/$f.pcap")
    out_verbose "$pc" >"$EXPECTED/$f.V.txt"
    out_fields "$pc" >"$EXPECTED/$f.fields.txt"
done
out_stats "$WORK/records.pcap" >"$EXPECTED/records.stats.txt"
out_flow "$WORK/records.pcap" >"$EXPECTED/records.flow.txt"
for h in $HEX_NAMES; do
    hex_pcap "$h" || die "hex/$h.hex: text2pcap failed"
    out_hex "$WORK/hex-$h.pcap" >"$EXPECTED/hex-$h.txt"
done
echo "regenerated: $(cd "$ROOT" && ls fixtures/dissector/*.pcap dissectors/tests/expected/* | tr '\n' ' ')"
