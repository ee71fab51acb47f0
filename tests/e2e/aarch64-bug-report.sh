#!/usr/bin/env bash
# Proves: the bug report's own aarch64 line (qemu-system-aarch64 -M virt, -netdev tap,id=eth0,script=,ifname=tap0,queues=4) on a macvtap named tap0 boots an arm64 guest under TCG that uses 2 queue pairs and pings the peer (v5 asks rtnetlink for the interface's kind, so a macvtap with a tap-like name is opened through its queue device /dev/tapN, not /dev/net/tun; script= empty runs no script). It first checks that the aarch64 binary has the tap backend under test (it refuses fds= with the same message as $QEMU), so that a stale aarch64 build is a FAIL, not a PASS of another version.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
QEMU_AARCH64=${QEMU_AARCH64:-$(dirname "$QEMU")/qemu-system-aarch64}
GUEST_ARM64=$top/build/guest-arm64
[ -x "$QEMU_AARCH64" ] || die "no $QEMU_AARCH64 (make build TARGETS='x86_64-softmmu aarch64-softmmu')"
[ -f "$GUEST_ARM64/initrd.gz" ] || die "no arm64 test guest in $GUEST_ARM64 (scripts/guest.sh arm64)"
# The aarch64 binary must have the tap backend of $QEMU, the build under test:
# one left from an older build of the series would test that older version.
# Both must answer a bad tap line the same way.
tap_answer() {
    timeout 5 "$1" -M none -nodefaults -display none -netdev tap,id=n0,fds= </dev/null 2>&1 |
        sed -n '1s/^qemu-system-[^:]*: //p' || true
}
[ "$(tap_answer "$QEMU_AARCH64")" = "$(tap_answer "$QEMU")" ] ||
    die "$QEMU_AARCH64 is not built from the same tree as $QEMU: it answers -netdev tap,fds= with '$(tap_answer "$QEMU_AARCH64")', $QEMU with '$(tap_answer "$QEMU")' (rebuild it: make build TARGETS='x86_64-softmmu aarch64-softmmu')"

# a macvtap whose name looks like a plain tap's, as in the report
MVT=tap0
topology_up
# The report ran -cpu host under KVM on an arm64 host; here it is TCG, so
# -cpu max. -smp 2: the guest uses one queue pair per vCPU.
QEMU_CMD=("$QEMU_AARCH64" -M virt -cpu max -smp 2 -m 256 -accel tcg
    -nodefaults -display none -no-reboot -serial stdio
    -kernel "$GUEST_ARM64/vmlinuz" -initrd "$GUEST_ARM64/initrd.gz"
    -append "console=ttyAMA0 quiet panic=-1 guest.ip=$GUEST_IP/$PREFIX_LEN guest.peer=$PEER_IP"
    -netdev tap,id=eth0,script=,ifname=tap0,queues=4
    -device "virtio-net-pci,netdev=eth0,mq=on,vectors=10,mac=$MVT_MAC,romfile=")
show_cmd "${QEMU_CMD[@]}"
log=$workdir/aarch64.log
GUEST_TIMEOUT=${GUEST_TIMEOUT:-240} run_guest "$log" || true
expect_guest aarch64-tap0-queues4 "$log" 2
