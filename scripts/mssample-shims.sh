#!/bin/sh
# mssample-shims.sh - make Windows driver sources with backslash include
# paths compile unchanged with gcc/clang.
#
# Usage: scripts/mssample-shims.sh SOURCE_DIR SHIM_DIR
#
# Windows sources such as the Microsoft switch-extension samples write
#     #include "..\..\base\SxBase.h"
# Linux compilers take the backslashes literally and fail with "No such
# file". For every such quoted include found in SOURCE_DIR (recursively, *.c
# and *.h) this script creates, in SHIM_DIR, a file whose name is literally
# the include string (backslashes are legal in Linux file names) containing
# one line that includes the real header, resolved relative to the file that
# includes it. Add "-I SHIM_DIR" to the compiler flags; the sources stay
# untouched (shared/reference/ndis-surface.md §4). Names that start with ".."
# are hidden from plain `ls`; use `ls -a`.
#
# The script fails (exit 1) if a backslash include cannot be resolved or if
# the same include string resolves to two different files.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_DIR SHIM_DIR" >&2
    exit 2
fi
src=$1
shim=$2
if [ ! -d "$src" ]; then
    echo "$0: $src: not a directory" >&2
    exit 1
fi
src=$(cd "$src" && pwd)
mkdir -p "$shim"
shim=$(cd "$shim" && pwd)

status=0
count=0
list=$(mktemp)
trap 'rm -f "$list"' EXIT INT TERM
find "$src" -type f \( -name '*.c' -o -name '*.h' -o -name '*.C' -o -name '*.H' \) >"$list"
while IFS= read -r file; do
    dir=$(dirname "$file")
    # Quoted includes that contain a backslash, one per line: the include string.
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*\\[^"]*"' "$file" 2>/dev/null |
        sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' >"$list.inc" || true
    while IFS=' ' read -r line name; do
        [ -n "$name" ] || continue
        rel=$(printf '%s' "$name" | tr '\\' '/')
        target="$dir/$rel"
        if [ ! -f "$target" ]; then
            echo "$file:$line: include \"$name\": $target does not exist" >&2
            status=1
            continue
        fi
        target=$(cd "$(dirname "$target")" && pwd)/$(basename "$target")
        out="$shim/$name"
        want="#include \"$target\""
        if [ -f "$out" ]; then
            if [ "$(cat "$out")" != "$want" ]; then
                echo "$file:$line: include \"$name\" resolves to $target, but another file resolves it to $(sed 's/^#include "\(.*\)"$/\1/' "$out")" >&2
                status=1
            fi
            continue
        fi
        printf '%s\n' "$want" >"$out"
        count=$((count + 1))
    done <"$list.inc"
done <"$list"
rm -f "$list.inc"

echo "$0: $count shim header(s) in $shim"
exit $status
