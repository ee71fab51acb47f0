#!/usr/bin/env bash
# Proves: a real libvirt hotplugs a 2-queue direct NIC into a running guest (getfd over QMP + netdev_add fds= + device_add), the guest pings the peer through it, and after detach-device no macvtap and no extra QEMU fd remain.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/libvirt.sh"

topology_up
bump_ifindex
libvirt_up

name=hotplug
fds() { ls "/proc/$pid/fd" | wc -l; }
tap_fds() { find "/proc/$pid/fd" -lname '/dev/tap*' | wc -l; }

start_domain "$name" "$(domain_xml "$name" "guest.wait=90 guest.unplug=60 guest.linger=10" "")"
pid=$(qemu_pid "$name")
wait_console "$name" 'GUEST-RESULT boot'
before=$(fds)
cat >"$workdir/nic.xml" <<XML
<interface type='direct'><source dev='v0' mode='bridge'/><mac address='52:54:00:4d:56:10'/>
  <model type='virtio'/><driver queues='2'/><rom enabled='no'/><alias name='net0'/></interface>
XML
lv_virsh attach-device "$name" "$workdir/nic.xml" --live >/dev/null || die "$name: attach-device failed"
mvt=$(lv_macvtaps)
[ -n "$mvt" ] || die "$name: libvirt created no macvtap"
node_is_ours "$mvt"
echo "$name: attached; libvirt made $mvt, QEMU holds $(tap_fds) /dev/tap fds"
[ "$(tap_fds)" = 2 ] || die "$name: expected QEMU to hold 2 queue fds, it holds $(tap_fds)"
wait_console "$name" 'GUEST-RESULT ping'
lv_virsh detach-device "$name" "$workdir/nic.xml" --live >/dev/null || die "$name: detach-device failed"
wait_console "$name" 'GUEST-RESULT unplug'
lv_gone_macvtaps "$name"
# libvirt's netdev_del follows the guest's unplug: give it up to 10 s
for i in $(seq 1 40); do
    [ "$(tap_fds)" = 0 ] && [ "$(fds)" = "$before" ] && break
    sleep 0.25
done
after=$(fds)
wait_domain "$name"
log=$(console_log "$name")
grep -q 'GUEST-RESULT unplug status=ok' "$log" || die "$name: the guest did not see the NIC go"
expect_guest "$name" "$log" 2
[ "$after" = "$before" ] || die "$name: QEMU had $before fds before the hotplug and $after after the unplug"
echo "ok: $name-cleanup: no macvtap left, QEMU fds $before -> $after"
