#!/usr/bin/env bash
# Proves: with Debian's own /etc/qemu-ifup and /etc/qemu-ifdown (package
# qemu-system-common, not a copy), the headline command line
#   -netdev tap,ifname=MVT,queues=4,script=/etc/qemu-ifup,downscript=/etc/qemu-ifdown
# (a) on a host whose default route goes through a bridge, with the macvtap
#     on that bridge: the script's "ip link set MVT master br0" is refused by
#     the kernel, and QEMU stops with the script's failure plus a hint that
#     names the macvtap and script=no,downscript=no; the macvtap is left as
#     it was (up, no master) and no QEMU is left running;
# (b) on a host whose default route does not go through a bridge: the
#     script brings the macvtap up and exits 0, and the guest gets 2 queue
#     pairs and pings the peer.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"

ifup=/etc/qemu-ifup ifdown=/etc/qemu-ifdown
owner=$(dpkg-query -S "$ifup" 2>/dev/null | cut -d: -f1 || true)
[ "$owner" = qemu-system-common ] && [ -x "$ifup" ] && [ -x "$ifdown" ] ||
    die "$ifup is not Debian's (owner: '${owner:-none}'): run 'make deps'"
echo "ok: $ifup and $ifdown from $owner $(dpkg-query -W -f='${Version}' qemu-system-common)"
nic=(-device virtio-net-pci,netdev=n0,mq=on,vectors=10,romfile=)
# (a) and (b) are judged separately: a failure of (a) is reported, and (b)
# still runs (the unpatched base fails (a) only).
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }
netdev=tap,id=n0,ifname=$MVT,queues=4,script=$ifup,downscript=$ifdown

# (a) default route through br0, the macvtap on br0
topology_bridge_up
ip -n "$NS_HOST" addr add 198.18.1.1/24 dev br0
ip -n "$NS_HOST" route add default via 198.18.1.254 dev br0
ip -n "$NS_HOST" link add link br0 name "$MVT" index "$(shuf -i 100000-999999 -n 1)" \
    type macvtap mode bridge
ip -n "$NS_HOST" link set "$MVT" up
before=$(ip -n "$NS_HOST" -o link show "$MVT" | sed 's/^[0-9]*: //')
log=$workdir/bridge.log
guest_cmd -netdev "$netdev" "${nic[@]}"
echo "run (a): $(show_cmd "${QEMU_CMD[@]}")"
rc=0
GUEST_TIMEOUT=60 run_guest "$log" || rc=$?
sed 's/^/    | /' "$log"
[ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "(a): QEMU exited with $rc, expected a refusal"
grep -q "network script $ifup failed" "$log" || fail "(a): no 'network script $ifup failed' message"
grep -q "$MVT is a macvtap interface, which needs no bridge" "$log" ||
    fail "(a): no hint naming $MVT as a macvtap"
grep -q 'Pass script=no,downscript=no' "$log" || fail "(a): the hint does not name script=no,downscript=no"
[ $failed = 1 ] || echo "ok: (a) refused with exit status $rc, the script's failure and the hint"
after=$(ip -n "$NS_HOST" -o link show "$MVT" | sed 's/^[0-9]*: //')
state_ok=1
[ "$after" = "$before" ] || { fail "(a): $MVT changed: '$before' -> '$after'"; state_ok=0; }
case "$after" in *" master "*) fail "(a): $MVT was enslaved: $after"; state_ok=0 ;; esac
if pgrep -f -- "-netdev $netdev" >/dev/null; then
    fail "(a): a QEMU with this netdev is still running"; state_ok=0
fi
[ $state_ok = 0 ] || echo "ok: (a) $MVT unchanged (up, no master), no QEMU left"
ip netns del "$NS_HOST"
ip netns del "$NS_PEER"

# (b) default route through the veth, no bridge
topology_up
ip -n "$NS_HOST" addr add 198.18.2.1/24 dev v0
ip -n "$NS_HOST" route add default via 198.18.2.254 dev v0
boot default-route-no-bridge 2 -netdev "$netdev" "${nic[@]/romfile=/romfile=,mac=$MVT_MAC}"
echo "ok: (b) the script ran, QEMU started, 2 queue pairs carried pings"
exit $failed
