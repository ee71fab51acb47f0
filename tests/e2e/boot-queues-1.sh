#!/usr/bin/env bash
# Proves: ifname=MVT with queues=1, and with no queues= at all, gives a working single-queue NIC
# (with script=no,downscript=no: v5, like QEMU 10.0, runs the default ifup/ifdown scripts for a
# macvtap unless told otherwise).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
boot queues1 1 -netdev tap,id=n0,ifname=$MVT,queues=1,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac=$MVT_MAC,romfile=
boot no-queues 1 -netdev tap,id=n0,ifname=$MVT,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac=$MVT_MAC,romfile=
