#!/usr/bin/env bash
# Demonstration (not a pass/fail test of QEMU): what a real libvirt does when
# the macvtap it creates gets an ifindex that a macvtap of another network
# namespace already has, and what QEMU's ifname= does with the same request.
#
# Interface indexes are per network namespace, /dev is global: the kernel
# names a macvtap's node /dev/tap<ifindex>, and the second macvtap with that
# index gets no node at all. libvirt opens /dev/tap<ifindex> after creating
# its macvtap and does not check the device number, so it hands QEMU the
# other namespace's queue device. Topology (every index chosen explicitly):
#   tenant A: $NS_A: veth a0 + macvtap other0 (ifindex N); peer $NS_AP
#   tenant B: $NS_HOST: veth v0, libvirtd; peer $NS_PEER (198.18.0.1)
# libvirt, in B, creates a macvtap on v0 for a guest; B's next ifindex has
# been set to N beforehand.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/libvirt.sh"
. "$top/bases/${BASE:-master}.conf"
BASE_QEMU=${BASE_QEMU:-$top/build/${BASE:-master}/baseline/bin/qemu-system-x86_64}
NS_A=mvtq$$a NS_AP=mvtq$$q
trap 'libvirt_down; ip netns del $NS_A 2>/dev/null || true; ip netns del $NS_AP 2>/dev/null || true; cleanup' EXIT
say() { printf '%s\n' "$*"; }
# no IPv6 in the demo's namespaces: the frame counters below then count the guest's frames only
no_ipv6() { ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; }
rx() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
say "== 1. tenant B: its network namespace; libvirt will create a macvtap there"
ip netns add "$NS_HOST"; ip netns add "$NS_PEER"
no_ipv6 "$NS_HOST"; no_ipv6 "$NS_PEER"
ip -n "$NS_HOST" link add v0 index 50 type veth peer name v1 netns "$NS_PEER"
ip -n "$NS_HOST" link set v0 up
ip -n "$NS_PEER" link set v1 up; ip -n "$NS_PEER" addr add "$PEER_IP/$PREFIX_LEN" dev v1
bump_ifindex
libvirt_up
N=$(next_ifindex "$NS_HOST")
say "   B: the next interface index there is $N"
say "== 2. tenant A: a macvtap with the same ifindex $N in namespace A"
ip netns add "$NS_A"; ip netns add "$NS_AP"
no_ipv6 "$NS_A"; no_ipv6 "$NS_AP"
ip -n "$NS_A" link add a0 type veth peer name a1 netns "$NS_AP"
ip -n "$NS_A" link add link a0 name other0 index "$N" type macvtap mode bridge
ip -n "$NS_A" link set a0 up; ip -n "$NS_A" link set other0 up; ip -n "$NS_AP" link set a1 up
a_dev=$(ip netns exec "$NS_A" cat "/sys/class/net/other0/macvtap/tap$N/dev")
say "   A: other0 ifindex $N, device $a_dev; /dev/tap$N is $(devnum "/dev/tap$N")"
[ "$(devnum "/dev/tap$N")" = "$a_dev" ] || die "/dev/tap$N is not other0's node: some other interface holds it, choose again"

say "== 3. B: libvirt starts a guest with <interface type='direct'> on v0"
nic="    <interface type='direct'><source dev='v0' mode='bridge'/><mac address='52:54:00:4d:56:42'/>
      <model type='virtio'/><rom enabled='no'/></interface>"
a_rx0=$(rx "$NS_AP" a1) b_rx0=$(rx "$NS_PEER" v1)
start_domain same-index "$(domain_xml same-index "guest.ping=5 guest.carrier=120" "$nic")"
mvt=$(lv_macvtaps)
b_idx=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$mvt/ifindex")
b_dev=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$mvt/macvtap/tap$b_idx/dev")
pid=$(qemu_pid same-index)
fd=$(find "/proc/$pid/fd" -lname '/dev/tap*' | head -n 1)
say "   B: libvirt made $mvt, ifindex $b_idx, device $b_dev"
say "   libvirt started QEMU with -netdev $(qemu_netdev_args same-index)"
say "   the queue fd libvirt passed: $(readlink "$fd"), device $(devnum "$fd")"
if [ "$(devnum "$fd")" = "$a_dev" ]; then
    say "   => B's guest is attached to tenant A's macvtap other0 ($a_dev), not to $mvt ($b_dev)"
else
    die "the devices did not collide (libvirt's macvtap got ifindex $b_idx, not $N): nothing shown"
fi
wait_console same-index 'GUEST-RESULT ping'
say "   guest: $(grep -m1 'GUEST-RESULT ping' "$workdir/same-index.console" | tr -d '\r')"
say "   frames from the guest received by A's peer a1: $(( $(rx "$NS_AP" a1) - a_rx0 )), by B's peer v1: $(( $(rx "$NS_PEER" v1) - b_rx0 ))"

say "== 4. the same request through QEMU's ifname=, in B, while libvirt's domain runs"
line=(-M none -nodefaults -display none -netdev "tap,id=n0,ifname=$mvt,script=no,downscript=no")
say "   \$ qemu-system-x86_64 ${line[*]}"
for q in "$QEMU:patched" "$BASE_QEMU:base $BASE_UPSTREAM_VERSION"; do
    bin=${q%%:*}
    [ -x "$bin" ] || { say "   ${q#*:}: not built (make baseline)"; continue; }
    ip netns exec "$NS_HOST" "$bin" -L "$FIRMWARE" "${line[@]}" >"$workdir/q.out" 2>&1 </dev/null &
    qp=$!
    qemu_pids+=("$qp")
    sleep 2
    if kill -0 "$qp" 2>/dev/null; then
        fds=""
        for qfd in $(find "/proc/$qp/fd" -lname '/dev/tap*' -o -lname '/dev/net/*'); do
            fds+="${fds:+, }$(readlink "$qfd") (device $(devnum "$qfd"))"
        done
        say "   ${q#*:}: QEMU runs; its tap fds: ${fds:-none}"
        kill "$qp"; wait "$qp" 2>/dev/null || true
    else
        rc=0; wait "$qp" || rc=$?
        say "   ${q#*:}: exit $rc: $(cat "$workdir/q.out")"
    fi
done
lv_virsh destroy same-index >/dev/null 2>&1 || true
