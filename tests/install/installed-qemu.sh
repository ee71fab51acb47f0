#!/usr/bin/env bash
# Proves: `make install` (scripts/install.sh) into a DESTDIR gives a QEMU that
# runs the demo's command line without -L (it finds its firmware beside
# itself); a second install with fewer TARGETS keeps the first one's files
# recorded; `make uninstall` then removes exactly what was installed and
# leaves a file of someone else's alone; an install never overwrites a file
# it did not install.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
dest=$workdir/dest
# someone else's file in PREFIX/bin, there before the install
mkdir -p "$dest/usr/local/bin"
echo "someone else's" >"$dest/usr/local/bin/other-tool"
DESTDIR=$dest PREFIX=/usr/local "$top/scripts/install.sh"
bin=$dest/usr/local/bin/qemu-system-x86_64
[ -x "$bin" ] && [ -x "$dest/usr/local/libexec/qemu-bridge-helper" ] &&
    [ -f "$dest/usr/local/share/qemu/bios-256k.bin" ] || die "install: files missing under $dest"
installed=$(find "$dest" -type f ! -name other-tool | sort)
echo "ok: install: $(wc -l <<<"$installed") files under DESTDIR (TARGETS: ${TARGETS:-x86_64-softmmu})"
# a second install with only x86_64 must not forget what the first installed
DESTDIR=$dest PREFIX=/usr/local TARGETS=x86_64-softmmu "$top/scripts/install.sh" >/dev/null
[ "$(find "$dest" -type f ! -name other-tool | sort)" = "$installed" ] || die "the second install changed the set of files"

topology_up
# the demo's command line, with the installed binary and no -L
QEMU_CMD=("$bin" -accel "$(accel)" -M pc -smp 2 -m 256
    -nodefaults -display none -no-reboot -serial stdio
    -kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.gz"
    -append "console=ttyS0 quiet panic=-1 guest.ip=$GUEST_IP/$PREFIX_LEN guest.peer=$PEER_IP"
    -netdev "tap,id=n0,ifname=$MVT,queues=4,script=no,downscript=no"
    -device "virtio-net-pci,netdev=n0,mq=on,vectors=10,mac=$MVT_MAC,romfile=")
show_cmd "${QEMU_CMD[@]}"
run_guest "$workdir/installed.log" || true
expect_guest installed-demo-line "$workdir/installed.log" 2

DESTDIR=$dest PREFIX=/usr/local "$top/scripts/uninstall.sh"
left=$(cd "$dest" && find . -mindepth 1 | sort | paste -sd' ')
[ "$left" = "./usr ./usr/local ./usr/local/bin ./usr/local/bin/other-tool" ] ||
    die "after uninstall, expected only someone else's file and its directories, found: $left"
[ "$(cat "$dest/usr/local/bin/other-tool")" = "someone else's" ] || die "uninstall changed someone else's file"
echo "ok: uninstall: removed everything it installed, kept someone else's file"

# a file that is not ours is never overwritten
echo "not ours" >"$dest/usr/local/bin/qemu-system-x86_64"
if DESTDIR=$dest PREFIX=/usr/local "$top/scripts/install.sh" >"$workdir/refused.log" 2>&1; then
    die "install overwrote a qemu-system-x86_64 it had not installed"
fi
grep -q 'not overwriting' "$workdir/refused.log" || die "install failed without saying why: $(cat "$workdir/refused.log")"
[ "$(cat "$dest/usr/local/bin/qemu-system-x86_64")" = "not ours" ] || die "the foreign file was changed"
echo "ok: install: refuses to overwrite a file it did not install"
