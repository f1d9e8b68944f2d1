#!/bin/sh
# deps.sh - make sure the Debian packages xsw builds with are installed.
#
#   scripts/deps.sh          install what is missing (as root), else print the apt-get line
#   scripts/deps.sh --check  same, but quiet when everything is present
#   scripts/deps.sh --ci     also what CI needs beyond the README commands
#
# Packages (Debian 12): the C toolchain and make, libpcap, libyaml, CUnit, the Wireshark plugin SDK
# and tshark (editcap comes with it), pkg-config, and python3 (the tests read JSON reports with it).
# With --ci also clang and its sanitizer/libFuzzer runtimes (make check-clang, make fuzz).
set -u
PKGS="make gcc libc6-dev pkg-config libpcap-dev libyaml-dev libcunit1-dev wireshark-dev tshark python3"
quiet=0
for a in "$@"; do
    case $a in
        --check) quiet=1 ;;
        --ci) PKGS="$PKGS clang libclang-rt-14-dev" ;;
        *) echo "deps: unknown option $a (use --check or --ci)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
if [ -z "$missing" ]; then
    [ $quiet = 1 ] || echo "deps: all packages present"
    exit 0
fi
line="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends $missing >/tmp/xsw-deps.log 2>&1; then
        apt-get update -q >>/tmp/xsw-deps.log 2>&1
        if ! apt-get install -y -q --no-install-recommends $missing >>/tmp/xsw-deps.log 2>&1; then
            echo "deps: installing failed (log: /tmp/xsw-deps.log); run: $line" >&2
            exit 1
        fi
    fi
    echo "deps: installed" >&2
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run as root:  sudo $line" >&2
exit 1
