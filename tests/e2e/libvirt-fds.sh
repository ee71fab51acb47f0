#!/usr/bin/env bash
# Proves: the command lines libvirt generates keep working with v5: fds= from shell
# redirections, the same in JSON -netdev/-device syntax, fd= alone, and fd= with queues=1
# (which the base refuses and v5 accepts), each booting a guest that pings the peer.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
node=/dev/tap$MVT_IFINDEX
# run_guest inherits fds 3 and 4: open them in a subshell per case
(exec 3<>"$node" 4<>"$node"
 boot fds-redirections 2 -netdev tap,fds=3:4,id=hostnet0 \
     -device virtio-net-pci,netdev=hostnet0,mq=on,vectors=6,mac=$MVT_MAC,romfile=)
(exec 3<>"$node" 4<>"$node"
 boot fds-json 2 -netdev '{"type":"tap","fds":"3:4","id":"hostnet0"}' \
     -device "{\"driver\":\"virtio-net-pci\",\"mq\":true,\"vectors\":6,\"netdev\":\"hostnet0\",\"id\":\"net0\",\"mac\":\"$MVT_MAC\",\"romfile\":\"\"}")
(exec 3<>"$node"
 boot fd 1 -netdev tap,fd=3,id=hostnet0 \
     -device virtio-net-pci,netdev=hostnet0,mac=$MVT_MAC,romfile=)
(exec 3<>"$node"
 boot fd-queues1 1 -netdev tap,fd=3,queues=1,id=hostnet0 \
     -device virtio-net-pci,netdev=hostnet0,mac=$MVT_MAC,romfile=)
