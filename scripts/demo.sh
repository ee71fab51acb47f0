#!/usr/bin/env bash
# The main job: boot the test guest on a multiqueue virtio-net NIC backed by
# -netdev tap,ifname=<macvtap>,queues=4,script=no,downscript=no (QEMU runs the
# default ifup/ifdown scripts for a macvtap unless told otherwise) inside a
# throwaway network namespace,
# show the exact command line, the guest's queue count and its ping to a peer
# namespace, then clean everything up.
set -euo pipefail
. "$(dirname "$0")/../tests/lib/common.sh"

echo "==> topology: namespace $NS_HOST (veth v0 + macvtap $MVT, mode bridge), peer namespace $NS_PEER (v1 $PEER_IP)"
topology_up
echo "    $MVT: ifindex $MVT_IFINDEX, MAC $MVT_MAC, node /dev/tap$MVT_IFINDEX ($(ip netns exec "$NS_HOST" cat "/sys/class/net/$MVT/macvtap/tap$MVT_IFINDEX/dev"))"
guest_cmd -netdev tap,id=n0,ifname=$MVT,queues=4,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=10,mac=$MVT_MAC,romfile=
echo "==> accelerator: $(accel) (KVM only where it really runs guests)"
echo "==> QEMU command line (run inside: ip netns exec $NS_HOST):"
show_cmd "${QEMU_CMD[@]}"
echo "==> guest console:"
log=$workdir/guest.log
t0=$SECONDS
rc=0
SHOW_CONSOLE=1 run_guest "$log" || rc=$?
echo "==> QEMU exited with status $rc after $((SECONDS - t0)) s"
echo "==> result: guest eth0 has $(result "$log" eth0 rx_queues) queue pair(s) (4 offered, 2 vCPUs)," \
     "ping $PEER_IP: $(result "$log" ping received)/$(result "$log" ping sent) replies," \
     "guest status: $(result "$log" done status)"
[ "$(result "$log" done status)" = ok ]
