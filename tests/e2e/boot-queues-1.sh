#!/usr/bin/env bash
# Proves: ifname=MVT with queues=1, and with no queues= at all, gives a working single-queue NIC
# (no script=: v5 runs no default ifup script for a macvtap).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
boot queues1 1 -netdev tap,id=n0,ifname=$MVT,queues=1 \
    -device virtio-net-pci,netdev=n0,mac=$MVT_MAC,romfile=
boot no-queues 1 -netdev tap,id=n0,ifname=$MVT \
    -device virtio-net-pci,netdev=n0,mac=$MVT_MAC,romfile=
