#!/usr/bin/env bash
# Fill build/firmware/ (the directory for -L): SeaBIOS and iPXE NIC ROMs from
# Debian's packages, plus the x86 option ROMs (linuxboot_dma.bin, ...) built
# from the QEMU tree, which the +ds tarball does not ship prebuilt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
fw=$top/build/firmware
mkdir -p "$fw"

for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom; do
    [ -e "$f" ] || { echo "firmware: $f missing (run 'make deps')" >&2; exit 1; }
    ln -sfn "$f" "$fw/$(basename "$f")"
done

if [ ! -f "$fw/linuxboot_dma.bin" ] || [ "$fw/linuxboot_dma.bin" -ot "$tree/pc-bios/optionrom/linuxboot_dma.c" ]; then
    step "firmware: building x86 option ROMs from $tree"
    rom=$top/build/optionrom
    rm -rf "$rom" && mkdir -p "$rom"
    log=$rom/build.log
    { (cd "$rom" && "$tree/configure" --python=/usr/bin/python3 --skip-meson) &&
      make -s -C "$rom/pc-bios/optionrom"; } >"$log" 2>&1 || { tail -n 20 "$log" >&2; exit 1; }
    cp "$rom"/pc-bios/optionrom/*.bin "$fw/"
    step_done
fi
echo "firmware: $(ls "$fw" | wc -l) files in $fw"
