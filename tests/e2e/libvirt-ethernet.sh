#!/usr/bin/env bash
# Proves: a real libvirt's <interface type='ethernet'> with <target dev='MVT' managed='no'/> on a macvtap the test made (libvirt opens its /dev/tapN twice and passes fds=) boots a 2-queue guest that pings the peer.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/libvirt.sh"

topology_up
libvirt_up
nic="    <interface type='ethernet'><target dev='$MVT' managed='no'/><mac address='$MVT_MAC'/>
      <model type='virtio'/><driver queues='2'/><rom enabled='no'/></interface>"
start_domain ethernet-q2 "$(domain_xml ethernet-q2 "" "$nic")"
args=$(qemu_netdev_args ethernet-q2)
echo "ethernet-q2: libvirt started QEMU with -netdev $args"
case "$args" in *'"fds":'*) ;; *) die "ethernet-q2: expected fds= from libvirt, got -netdev $args" ;; esac
wait_domain ethernet-q2
expect_guest ethernet-q2 "$(console_log ethernet-q2)" 2
ip -n "$NS_HOST" link show "$MVT" >/dev/null || die "ethernet-q2: libvirt deleted $MVT, which it does not manage"
