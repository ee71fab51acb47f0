#!/usr/bin/env bash
# Build the test guest: build/guest/vmlinuz (Debian's kernel) and
# build/guest/initrd.gz (busybox-static, the virtio-net modules, guest/init).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=$top/build/guest
dl=$top/build/dl
mkdir -p "$out" "$dl"
if [ -f "$out/initrd.gz" ] && [ "$out/initrd.gz" -nt "$top/guest/init" ] &&
   [ "$out/initrd.gz" -nt "$0" ] && [ -f "$out/vmlinuz" ]; then
    echo "guest: $out up to date"
    exit 0
fi

step "guest: kernel and initramfs"
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$pkg" ] || { echo "guest: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
deb=$(ls "$dl/${pkg}"_*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
    (cd "$dl" && apt-get download -q "$pkg")
    deb=$(ls "$dl/${pkg}"_*.deb | tail -n 1)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg -x "$deb" "$work/kernel"
cp "$work"/kernel/boot/vmlinuz-* "$out/vmlinuz"

root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci failover net_failover virtio_net; do
    ko=$(find "$work/kernel/lib/modules" -name "$m.ko*" | head -n 1)
    [ -n "$ko" ] || { echo "guest: module $m not in $deb" >&2; exit 1; }
    case "$ko" in
        *.xz) xz -dc "$ko" >"$root/lib/modules/$m.ko" ;;
        *.zst) zstd -qdc "$ko" >"$root/lib/modules/$m.ko" ;;
        *) cp "$ko" "$root/lib/modules/$m.ko" ;;
    esac
done
install -m 0755 "$top/guest/init" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out/initrd.gz"
echo "guest: $(basename "$deb"), initrd $(du -h "$out/initrd.gz" | cut -f1)"
step_done
