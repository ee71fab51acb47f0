#!/usr/bin/env bash
# Build a test guest from Debian's packages: a kernel and an initramfs with
# busybox-static, the virtio-net modules and guest/init.
#   guest.sh         build/guest/{vmlinuz,initrd.gz}        (amd64)
#   guest.sh arm64   build/guest-arm64/{vmlinuz,initrd.gz}  (for qemu-system-aarch64)
# The arm64 packages are fetched with `apt-get download` (make deps adds the
# arm64 package lists); nothing of arm64 runs on the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch=${1:-amd64}
case "$arch" in
    amd64) out=$top/build/guest ;;
    arm64) out=$top/build/guest-$arch ;;
    *) echo "guest: unknown architecture $arch" >&2; exit 1 ;;
esac
dl=$top/build/dl
mkdir -p "$out" "$dl"
if [ -f "$out/initrd.gz" ] && [ "$out/initrd.gz" -nt "$top/guest/init" ] &&
   [ "$out/initrd.gz" -nt "$0" ] && [ -f "$out/vmlinuz" ]; then
    echo "guest: $out up to date"
    exit 0
fi

# fetch PACKAGE: the .deb of PACKAGE for $arch in build/dl (downloaded once)
fetch() {
    local deb
    deb=$(ls "$dl/${1}"_*_"$arch".deb 2>/dev/null | tail -n 1 || true)
    if [ -z "$deb" ]; then
        (cd "$dl" && apt-get download -q "$1:$arch") >&2
        deb=$(ls "$dl/${1}"_*_"$arch".deb | tail -n 1)
    fi
    echo "$deb"
}

step "guest: $arch kernel and initramfs"
pkg=$(apt-cache depends "linux-image-$arch:$arch" | awk '/Depends: linux-image-/ { sub(/:.*/, "", $2); print $2; exit }')
[ -n "$pkg" ] || { echo "guest: cannot resolve linux-image-$arch:$arch (apt-get update? make deps)" >&2; exit 1; }
deb=$(fetch "$pkg")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg -x "$deb" "$work/kernel"
cp "$work"/kernel/boot/vmlinuz-* "$out/vmlinuz"

root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
if [ "$arch" = amd64 ]; then
    cp /bin/busybox "$root/bin/busybox"
else
    dpkg -x "$(fetch busybox-static)" "$work/busybox"
    cp "$work/busybox/bin/busybox" "$root/bin/busybox"
fi
# the applet names come from the host's busybox-static: the foreign one does
# not run here, and the same Debian release builds both from one source
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
builtin=$(find "$work/kernel/lib/modules" -name modules.builtin | head -n 1)
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci failover net_failover virtio_net; do
    ko=$(find "$work/kernel/lib/modules" -name "$m.ko*" | head -n 1)
    if [ -z "$ko" ]; then
        # built into this kernel (guest/init loads only the modules it finds)
        grep -q "/$m.ko\$" "$builtin" && continue
        echo "guest: module $m neither in $deb nor built in" >&2; exit 1
    fi
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
