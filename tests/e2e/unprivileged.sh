#!/usr/bin/env bash
# Proves: a non-root user without capabilities whose group may read and write the macvtap's
# node runs ifname=MVT,queues=4,script=no,downscript=no: "info network" shows 4 queues, each as
# "ifname=MVT,script=no,downscript=no,devname=/dev/tapN" (v5 opens the verified queue device; the
# script options are given because v5, like QEMU 10.0, runs the default ifup/ifdown scripts
# for a macvtap unless told otherwise); without that group it gets v5's permission error
# naming the node, its device number and the interface.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
node=/dev/tap$MVT_IFINDEX
# the node is ours (the macvtap goes away with the namespace on exit)
chgrp nogroup "$node"
chmod 0660 "$node"
as_user() {
    local gid=$1; shift
    timeout 20 ip netns exec "$NS_HOST" setpriv --reuid nobody --regid "$gid" \
        --clear-groups --inh-caps=-all --bounding-set=-all "$@"
}
out=$(printf 'info network\nquit\n' |
      as_user nogroup "$QEMU" -M none -nodefaults -display none -monitor stdio \
          -netdev tap,id=n0,ifname=$MVT,queues=4,script=no,downscript=no 2>&1 | tr -d '\r' |
      sed 's/\x1b\[[0-9;]*[A-Za-z]//g' || true)
lines=$(grep -c -x "n0: index=0,type=tap,ifname=$MVT,script=no,downscript=no,devname=$node" <<<"$out" || true)
[ "$lines" = 4 ] || { echo "$out" >&2; die "as nobody:nogroup with group rw: $lines queues, expected 4; QEMU: $(grep -m1 qemu-system <<<"$out")"; }
echo "ok: group-rw: nobody:nogroup, no capabilities, opened 4 queues of $node"

rc=0
out=$(as_user 12345 "$QEMU" -M none -nodefaults -display none \
          -netdev tap,id=n0,ifname=$MVT,queues=4,script=no,downscript=no 2>&1 </dev/null) || rc=$?
want="could not open $node, the queue device $MVT_DEVNUM of $MVT: Permission denied"
[ $rc != 0 ] && [[ $out == *"$want"* ]] || die "without the group: exit $rc, said: $out"
echo "ok: no-group: $want"
