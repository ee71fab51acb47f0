#!/usr/bin/env bash
# Proves: a real libvirt's <interface type='direct'> (it creates the macvtap, opens /dev/tapN per queue and passes fds=) boots a 2-queue and a 1-queue guest that ping the peer.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/libvirt.sh"

topology_up
bump_ifindex
libvirt_up

# direct_nic MAC [DRIVER-XML]: libvirt creates a macvtap on v0 in bridge mode
direct_nic() {
    echo "    <interface type='direct'><source dev='v0' mode='bridge'/><mac address='$1'/>
      <model type='virtio'/>${2:-}<rom enabled='no'/></interface>"
}

for q in 2 1; do
    name=direct-q$q
    driver=""; [ $q = 2 ] && driver="<driver queues='2'/>"
    start_domain "$name" "$(domain_xml "$name" "" "$(direct_nic 52:54:00:4d:56:0$q "$driver")")"
    args=$(qemu_netdev_args "$name")
    echo "$name: libvirt started QEMU with -netdev $args"
    mvt=$(lv_macvtaps)
    [ -n "$mvt" ] || die "$name: libvirt created no macvtap in $NS_HOST"
    node_is_ours "$mvt"
    case "$q:$args" in
        2:*'"fds":'*|1:*'"fd":'*) ;;
        *) die "$name: expected libvirt to pass the queue fd(s), got -netdev $args" ;;
    esac
    wait_domain "$name"
    expect_guest "$name" "$(console_log "$name")" "$q"
    # libvirt deletes the macvtap it made when the domain goes
    lv_gone_macvtaps "$name"
done
