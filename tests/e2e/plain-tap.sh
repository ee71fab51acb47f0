#!/usr/bin/env bash
# Proves: plain tun/tap is unchanged in v5: a tap QEMU creates with ifname= (not a macvtap
# or ipvtap, so /dev/net/tun as on the base), attached to a bridge by the explicit script=,
# carries the guest's traffic with queues=2, is gone when QEMU exits, and "info network"
# prints the base's text (compared with the base binary when it is built).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_bridge_up
ifup=$workdir/ifup
printf '#!/bin/sh\nip link set "$1" master br0\nip link set "$1" up\n' >"$ifup"
chmod +x "$ifup"
boot tap-bridge 2 -netdev tap,id=n0,ifname=tapq0,script=$ifup,downscript=no,queues=2 \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=52:54:00:12:34:56,romfile=
ip -n "$NS_HOST" link show tapq0 >/dev/null 2>&1 && die "tapq0 still exists after QEMU exited"
echo "ok: tapq0 is gone with QEMU"

# "info network": the exact text of the base (scripts parse it)
info() {
    printf 'info network\nquit\n' |
        ip netns exec "$NS_HOST" "$1" -M none -nodefaults -display none -monitor stdio \
            -netdev tap,id=n0,ifname=tapq1,script=$ifup,downscript=no 2>/dev/null |
        tr -d '\r' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep '^n0:'
}
want="n0: index=0,type=tap,ifname=tapq1,script=$ifup,downscript=no"
got=$(info "$QEMU")
[ "$got" = "$want" ] || die "info network says '$got', expected '$want'"
echo "ok: info network: $got"
base=$top/build/baseline/bin/qemu-system-x86_64
if [ -x "$base" ] && [ "$QEMU" != "$base" ]; then
    [ "$(info "$base")" = "$got" ] || die "baseline says '$(info "$base")', patched '$got'"
    echo "ok: the baseline prints the same text"
fi
