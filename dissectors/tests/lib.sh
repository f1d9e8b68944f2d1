# lib.sh - shared by dissectors/tests/run.sh (the test) and regen.sh (which
# rewrites fixtures and golden files on purpose). POSIX sh, sourced.
#
# tshark run as root ignores the personal plugin folder (toolchain-notes.md
# "Loading a plugin into tshark: root matters"), so as root every tshark runs
# as nobody (uid 65534) through setpriv, with HOME pointing at a stage folder
# that holds .local/lib/wireshark/plugins/4.0/epan/xsw.so. Every input file is
# copied into a world-readable work folder first. Output is made
# deterministic with TZ=UTC LC_ALL=C, and stderr never goes into a golden.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TESTS=$ROOT/dissectors/tests
EXPECTED=$TESTS/expected
FIXTURES=$ROOT/fixtures/dissector
B=${XSW_BUILD:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
PLUGIN=$B/dissectors/xsw.so
MKFIX=$B/dissectors/mkfixtures
FIXTURE_NAMES="records netvsc"
HEX_NAMES="xsw vmbus nvsp rndis"
PROTOS=xsw,vmbus,nvsp,rndis

die() {
    echo "dissectors/tests: $*" >&2
    exit 1
}

# setup: check the tools, build the stage and work folders.
setup() {
    for t in tshark text2pcap editcap; do
        command -v $t >/dev/null 2>&1 || die "$t not found (apt-get install tshark)"
    done
    [ -f "$PLUGIN" ] || die "$PLUGIN not built (make B=${XSW_BUILD:-build} $PLUGIN)"
    [ -x "$MKFIX" ] || die "$MKFIX not built"
    if [ "$(id -u)" = 0 ]; then
        command -v setpriv >/dev/null 2>&1 || die "setpriv not found (util-linux)"
        AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
        AS_USER=""
    fi
    WORK=$B/dissectors/test-work
    STAGE=$B/dissectors/stage
    rm -rf "$WORK" "$STAGE"
    mkdir -p "$WORK" "$STAGE/.local/lib/wireshark/plugins/4.0/epan"
    cp "$PLUGIN" "$STAGE/.local/lib/wireshark/plugins/4.0/epan/xsw.so"
    chmod -R a+rX "$STAGE" "$WORK"
    # The unprivileged user must reach the stage; if a parent folder is
    # private, move both to a fresh folder under /tmp.
    if [ -n "$AS_USER" ] && ! $AS_USER test -r "$STAGE/.local/lib/wireshark/plugins/4.0/epan/xsw.so"; then
        rm -rf "$WORK" "$STAGE"
        TMPW=$(mktemp -d "${TMPDIR:-/tmp}/xsw-dissector.XXXXXX") || die "mktemp failed"
        chmod 755 "$TMPW"
        WORK=$TMPW/work
        STAGE=$TMPW/stage
        mkdir -p "$WORK" "$STAGE/.local/lib/wireshark/plugins/4.0/epan"
        cp "$PLUGIN" "$STAGE/.local/lib/wireshark/plugins/4.0/epan/xsw.so"
        chmod -R a+rX "$STAGE" "$WORK"
    fi
    chmod a+rwx "$WORK"
}

# ts ARGS...: tshark as the unprivileged user with the staged plugin.
ts() {
    $AS_USER env -i HOME="$STAGE" TZ=UTC LC_ALL=C PATH=/usr/bin:/bin tshark "$@"
}

# stage_file SRC: copy an input into the work folder; prints the copy's path.
stage_file() {
    cp "$1" "$WORK/$(basename "$1")" && chmod a+r "$WORK/$(basename "$1")" && echo "$WORK/$(basename "$1")"
}

# Golden outputs of one fixture (stdout only).
out_verbose() { ts -2 -V -O "$PROTOS" -r "$1" 2>/dev/null; }
out_fields_records() {
    ts -2 -r "$1" -T fields -E header=y -E occurrence=a -E aggregator='|' \
        -e frame.number -e xsw.seq -e xsw.kind -e xsw.point -e xsw.point_name -e xsw.actor -e xsw.port_id \
        -e xsw.nic_index -e xsw.id -e xsw.parent -e xsw.oid -e xsw.status -e xsw.oid.request_in \
        -e xsw.oid.response_in -e xsw.oid.parent_in -e xsw.nbl.opened_in -e xsw.nbl.closed_in \
        -e xsw.verdict.judged_frame -e xsw.verdict_in -e ip.src -e ip.dst -e _ws.expert.message 2>/dev/null
}
out_fields_netvsc() {
    ts -2 -r "$1" -T fields -E header=y -E occurrence=a -E aggregator='|' \
        -e frame.number -e vmbus.type -e vmbus.flags -e vmbus.trans_id -e vmbus.request_in -e vmbus.response_in \
        -e vmbus.range_count -e nvsp.type -e nvsp.status -e nvsp.completes -e rndis.msg_type -e rndis.request_id \
        -e rndis.oid -e rndis.request_in -e rndis.response_in -e rndis.ppi.type -e rndis.ppi.internal_type \
        -e ip.src -e ip.dst -e _ws.expert.message 2>/dev/null
}
out_fields() {
    case $(basename "$1" .pcap) in
        records) out_fields_records "$1" ;;
        *) out_fields_netvsc "$1" ;;
    esac
}
out_stats() { ts -q -2 -r "$1" -z xsw_ports,tree 2>/dev/null; }
out_flow() { ts -q -2 -r "$1" -z flow,any,network 2>/dev/null; }
out_field_list() {
    ts -G fields 2>/dev/null | awk -F '\t' '($1 == "F" || $1 == "P") && $3 ~ /^(xsw|vmbus|nvsp|rndis)(\.|$)/' | sort
}

# hex_to_text2pcap HEXFILE TXT EXP: convert a commented hex case file into
# text2pcap input (offset + bytes per line, a blank line between frames) and
# a list of "frame<TAB>expected expert text" lines.
hex_to_text2pcap() {
    awk -v EXP="$3" '
        function flush(   i, j, k, line) {
            if (nb > 0) {
                frame++
                for (i = 0; i < nb; i += 16) {
                    line = sprintf("%06x", i)
                    for (j = i; j < i + 16 && j < nb; j++)
                        line = line " " bytes[j]
                    print line
                }
                print ""
                for (k = 0; k < ne; k++)
                    printf "%d\t%s\n", frame, expt[k] > EXP
            }
            nb = 0
            ne = 0
        }
        BEGIN { nb = 0; ne = 0; frame = 0; printf "" > EXP }
        /^[ \t]*$/ { flush(); next }
        /^#[ \t]*expect:/ { sub(/^#[ \t]*expect:[ \t]*/, ""); expt[ne++] = $0; next }
        /^#/ { next }
        { sub(/#.*/, ""); for (f = 1; f <= NF; f++) bytes[nb++] = $f }
        END { flush() }
    ' "$1" >"$2"
}

# hex_pcap NAME: build $WORK/hex-NAME.pcap and $WORK/hex-NAME.exp from tests/hex/NAME.hex.
hex_pcap() {
    hex_to_text2pcap "$TESTS/hex/$1.hex" "$WORK/hex-$1.txt" "$WORK/hex-$1.exp" || return 1
    text2pcap -q -F pcap -l 252 "$WORK/hex-$1.txt" "$WORK/hex-$1.pcap" >/dev/null 2>&1 || return 1
    chmod a+r "$WORK/hex-$1.pcap"
}
out_hex() {
    ts -2 -r "$1" -T fields -E occurrence=a -E aggregator='|' -e frame.number -e _ws.expert.severity \
        -e _ws.expert.message 2>/dev/null
}
