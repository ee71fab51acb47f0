#!/usr/bin/env bash
# Proves: devname=/dev/tapN,queues=2 works, and so does devname= naming a node created under
# another name (as udev rules or containers do), without ifname=; and devname=/dev/tapN with
# ifname=MVT,queues=2 works for a QEMU that joined the namespace without a /sys of its own
# (nsenter: /sys shows the host's namespace, which has no MVT), where v5 cannot read the
# device number and checks each queue fd by the interface name TUNGETIFF reports (what that
# check refuses: tests/errors/cases.tsv, dev-no-sysfs-*, macvtap-no-sysfs-*). Each boots a
# 2-queue guest that pings the peer. Each passes script=no,downscript=no: v5, like QEMU 10.0,
# runs the default ifup/ifdown scripts for every ifname= or devname= without script=/downscript=.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
boot dev-tapN 2 -netdev tap,id=n0,devname=/dev/tap$MVT_IFINDEX,queues=2,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$MVT_MAC,romfile=
node=$workdir/macvtap-vm1
mknod "$node" c ${MVT_DEVNUM%:*} ${MVT_DEVNUM#*:}
boot dev-renamed-node 2 -netdev tap,id=n0,devname=$node,queues=2,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$MVT_MAC,romfile=

# devname= without a usable /sys: QEMU enters only the network namespace
[ ! -e "/sys/class/net/$MVT/tap$MVT_IFINDEX/dev" ] ||
    die "the host's /sys has /sys/class/net/$MVT/tap$MVT_IFINDEX/dev: cannot test devname= without sysfs"
guest_cmd -netdev tap,id=n0,ifname=$MVT,devname=/dev/tap$MVT_IFINDEX,queues=2,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$MVT_MAC,romfile=
log=$workdir/dev-no-sysfs.log
timeout "${GUEST_TIMEOUT:-120}" nsenter --net="/run/netns/$NS_HOST" "${QEMU_CMD[@]}" >"$log" 2>&1 &
pid=$!
qemu_pids+=("$pid")
wait "$pid" || true
expect_guest dev-no-sysfs "$log" 2
