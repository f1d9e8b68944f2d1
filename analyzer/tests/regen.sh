#!/bin/sh
# regen.sh - rewrite the golden summaries of analyzer/tests/golden/ on purpose
# (after a deliberate change of the summary format or of the fixtures):
#   XSW_BUILD=build/h7 sh analyzer/tests/regen.sh
# Review the diff before committing it.
set -u
. "$(dirname "$0")/lib.sh"
setup
echo "$GOLDEN_CASES" | while IFS=: read -r name args; do
    # shellcheck disable=SC2086
    an $args >"$GOLDEN/$name.txt"
    echo "wrote $GOLDEN/$name.txt (exit status $?)"
done
