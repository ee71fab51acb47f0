#!/usr/bin/env bash
# Proves: the user's command line, -netdev tap,ifname=MVT,queues=4,script=no,downscript=no
# with a virtio-net-pci mq=on NIC and 2 vCPUs, gives the guest 2 queue pairs that both carry
# traffic to the peer, which sees the guest at the macvtap's MAC. script=no,downscript=no as
# on QEMU 10.0: v5 runs the default ifup/ifdown scripts for every ifname= or devname= without
# script=/downscript=, a macvtap too (the build's default script path does not exist, so
# running it would fail the netdev).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
boot queues4 2 -netdev tap,id=n0,ifname=$MVT,queues=4,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=10,mac=$MVT_MAC,romfile=
log=$workdir/queues4.log
for q in 0 1; do
    n=$(( $(irq_count "$log" input.$q) + $(irq_count "$log" output.$q) ))
    [ "$n" -gt 0 ] || die "queue pair $q carried no traffic (no interrupts)"
    echo "ok: queue pair $q: $(irq_count "$log" input.$q) rx + $(irq_count "$log" output.$q) tx interrupts"
done
# The other side: the peer learned the guest's address at the macvtap's MAC.
peer_mac=$(ip -n "$NS_PEER" neigh show "$GUEST_IP" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
[ "$peer_mac" = "$MVT_MAC" ] || die "peer sees $GUEST_IP at '${peer_mac}', expected $MVT_MAC"
echo "ok: peer sees $GUEST_IP at $peer_mac"
