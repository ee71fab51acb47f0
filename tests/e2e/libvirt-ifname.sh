#!/usr/bin/env bash
# Proves: the series' own syntax works under a real libvirt: -netdev tap,ifname=MVT,queues=2,script=no,downscript=no in <qemu:commandline>, and QMP netdev_add ifname=MVT,queues=2,script=no,downscript=no + device_add through virsh qemu-monitor-command, each giving a 2-queue guest that pings the peer (script=no,downscript=no because v5, like QEMU 10.0, runs the default ifup/ifdown scripts for a macvtap unless told otherwise; with them the base opens ifname=MVT,queues=2 as well).
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/libvirt.sh"

topology_up
libvirt_up

# 1. the user's -netdev line, passed through libvirt
commandline_case() {
    local cmdline="    <qemu:arg value='-netdev'/><qemu:arg value='tap,id=n0,ifname=$MVT,queues=2,script=no,downscript=no'/>
    <qemu:arg value='-device'/><qemu:arg value='virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$MVT_MAC,romfile='/>"
    boot_domain qemu-commandline 2 "" "$cmdline"
}

# 2. netdev_add + device_add over QMP, through libvirt's monitor connection
qmp_case() {
    local name=qmp-netdev-add
    start_domain "$name" "$(domain_xml "$name" "guest.wait=90" "")"
    wait_console "$name" 'GUEST-RESULT boot'
    qmp() {
        local out
        out=$(lv_virsh qemu-monitor-command "$name" "$1") || die "$name: $1: virsh failed"
        echo "$name: $1 -> $out"
        case "$out" in *'"error"'*) die "$name: QEMU refused $1: $(sed 's/.*"desc": *"\([^"]*\)".*/\1/' <<<"$out")" ;; esac
    }
    qmp "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"tap\",\"id\":\"hn1\",\"ifname\":\"$MVT\",\"queues\":2,\"script\":\"no\",\"downscript\":\"no\"}}"
    qmp "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-net-pci\",\"id\":\"nic1\",\"netdev\":\"hn1\",\"mq\":true,\"vectors\":6,\"mac\":\"$MVT_MAC\",\"romfile\":\"\"}}"
    wait_domain "$name"
    expect_guest "$name" "$(console_log "$name")" 2
}

# each case in a subshell of its own (in the background, so that errexit
# stays on inside it), so that both run even if one fails
rc=0
(commandline_case) &
wait $! || rc=1
(qmp_case) &
wait $! || rc=1
exit $rc
