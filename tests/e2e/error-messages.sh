#!/usr/bin/env bash
# Proves: every -netdev tap command line in tests/errors/cases.tsv that
# series v6 refuses (queues=0 or > 1024, empty
# fds=, a macvtap whose queue device cannot be opened or is not its own, a
# devname= that is no queue device of the interface, option clashes, and the
# kernel's own refusals of names it does not accept) makes QEMU exit with
# status 1 (an error, not a crash or abort) and v5's message naming the
# culprit, and leaves no interface, QEMU process or node change behind.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$top/tests/errors/run-case.sh"

topology_up
links_before=$(ip -n "$NS_HOST" -o link show | awk '{ print $2 }' | sort)
node_before=$(stat -c '%t:%T %a' "/dev/tap$MVT_IFINDEX")
failed=0 n=0
while IFS=$'\t' read -r name setup opts expected hint; do
    n=$((n + 1))
    run_case "$setup" "$opts"
    expected=$(expand "$expected")
    why=""
    if [ "$CASE_RC" = 0 ] || [ "$CASE_RC" = 124 ]; then
        why="exit status $CASE_RC, QEMU did not refuse"
    elif [ "$CASE_RC" != 1 ]; then
        why="exit status $CASE_RC: QEMU crashed or aborted instead of refusing"
    elif [[ $CASE_OUT != *"$expected"* ]]; then
        why="message lacks: $expected"
    elif [ -n "$hint" ] && [[ $CASE_OUT != *"$(expand "$hint")"* ]]; then
        why="hint lacks: $(expand "$hint")"
    elif [ "$(ip -n "$NS_HOST" -o link show | awk '{ print $2 }' | sort)" != "$links_before" ]; then
        why="interfaces changed: $(ip -n "$NS_HOST" -o link show | awk '{ print $2 }' | tr '\n' ' ')"
    elif [ "$(stat -c '%t:%T %a' "/dev/tap$MVT_IFINDEX" 2>/dev/null)" != "$node_before" ]; then
        why="/dev/tap$MVT_IFINDEX was not restored"
    fi
    if [ -n "$why" ]; then
        failed=$((failed + 1))
        echo "FAIL $name: $why"
        echo "     QEMU said: $CASE_OUT"
    else
        echo "ok   $name: $(head -n 1 <<<"$CASE_OUT" | sed 's/^qemu-system-x86_64: -netdev [^ ]*: //')"
    fi
done < <(cases)
echo "$((n - failed)) of $n error cases behave"
[ "$failed" = 0 ]
