#!/usr/bin/env bash
# Proves: a guest NIC whose MAC differs from the macvtap's gets exactly one
# warning naming both addresses and indeed receives no unicast reply; with
# equal MACs there is no warning and the ping is answered.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
other=52:54:00:12:34:56
nic() { echo "virtio-net-pci,netdev=n0,mq=on,vectors=6,mac=$1,romfile="; }
evidence() { echo "--- QEMU/guest console tail:" >&2; tail -n 20 "$1" >&2; }

guest_cmd -netdev tap,id=n0,ifname=$MVT,queues=2 -device "$(nic $other)"
run_guest "$workdir/differ.log" || true
warnings=$(grep -c "warning: NIC .* has MAC address $other, but its backend $MVT has $MVT_MAC" "$workdir/differ.log" || true)
[ "$warnings" = 1 ] || { evidence "$workdir/differ.log"; die "expected 1 MAC warning, got $warnings"; }
grep "warning: NIC" "$workdir/differ.log"
[ "$(result "$workdir/differ.log" ping received)" = 0 ] ||
    { evidence "$workdir/differ.log"; die "guest with another MAC got replies"; }

guest_cmd -netdev tap,id=n0,ifname=$MVT,queues=2 -device "$(nic "$MVT_MAC")"
run_guest "$workdir/equal.log" || true
! grep -q "warning: NIC" "$workdir/equal.log" || { evidence "$workdir/equal.log"; die "warning with equal MACs"; }
[ "$(result "$workdir/equal.log" ping received)" -gt 0 ] ||
    { evidence "$workdir/equal.log"; die "guest with the macvtap's MAC got no reply"; }
echo "ok: one warning and no reply with $other; no warning and replies with $MVT_MAC"
