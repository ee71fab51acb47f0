#!/usr/bin/env bash
# Proves: a guest whose virtio-net-pci (mq=on) sits on -netdev tap,ifname=MVT,queues=4
# gets several queue pairs and exchanges traffic with a peer namespace through the macvtap.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

topology_up
guest_cmd -netdev tap,id=n0,ifname=$MVT,queues=4 \
    -device virtio-net-pci,netdev=n0,mq=on,vectors=10,mac=$MVT_MAC,romfile=
log=$workdir/guest.log
run_guest "$log" || { tail -n 30 "$log" >&2; die "QEMU exited with an error"; }

evidence() { echo "--- QEMU/guest console tail:" >&2; tail -n 20 "$log" >&2; }
status=$(result "$log" done status)
rxq=$(result "$log" eth0 rx_queues)
rcvd=$(result "$log" ping received)
[ "$status" = ok ] || { evidence; die "guest finished with status '${status:-none}'"; }
[ "$rxq" = 2 ] || { evidence; die "guest has $rxq rx queues, expected 2 (4 offered, 2 vCPUs)"; }
[ "${rcvd:-0}" -gt 0 ] || { evidence; die "guest got no ping reply"; }
# The other side: the peer learned the guest's address at the macvtap's MAC.
peer_mac=$(ip -n "$NS_PEER" neigh show "$GUEST_IP" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
[ "$peer_mac" = "$MVT_MAC" ] || die "peer sees $GUEST_IP at '${peer_mac}', expected $MVT_MAC"
echo "ok: $rxq queue pairs, $rcvd ping replies, peer sees $GUEST_IP at $peer_mac"
