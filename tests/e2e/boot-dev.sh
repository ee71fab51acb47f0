#!/usr/bin/env bash
# Proves: dev=/dev/tapN,queues=2 works, and so does dev= naming a node created under
# another name (as udev rules or containers do), without ifname=.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
boot dev-tapN 2 -netdev tap,id=n0,dev=/dev/tap$MVT_IFINDEX,queues=2 \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$MVT_MAC,romfile=
node=$workdir/macvtap-vm1
mknod "$node" c ${MVT_DEVNUM%:*} ${MVT_DEVNUM#*:}
boot dev-renamed-node 2 -netdev tap,id=n0,dev=$node,queues=2 \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$MVT_MAC,romfile=
