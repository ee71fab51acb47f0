#!/usr/bin/env bash
# Proves: libvirt's capability probe of the patched binary finds exactly the capability flags it finds for the unpatched base binary.
set -euo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/libvirt.sh"
BASE_QEMU=${BASE_QEMU:-$top/build/${BASE:-master}/baseline/bin/qemu-system-x86_64}
[ -x "$BASE_QEMU" ] || die "no base binary at $BASE_QEMU (make baseline)"
if [ "$(readlink -f "$QEMU")" = "$(readlink -f "$BASE_QEMU")" ]; then
    echo "$QEMU is the base itself: nothing to compare"
    exit 77
fi

topology_up
libvirt_up
emulator_wrapper "$workdir/base-emulator" "$BASE_QEMU"
# flags EMULATOR: the capability flags libvirt cached for it
flags() {
    lv_virsh domcapabilities --emulatorbin "$1" --virttype qemu --machine pc >/dev/null ||
        die "libvirt could not probe $1"
    local f
    f=$(grep -l -F "<emulator>$1</emulator>" "$LV"/cache/qemu/capabilities/*.xml) ||
        die "no capabilities cache for $1"
    sed -n "s/^ *<flag name='\([^']*\)'.*/\1/p" "$f" | sort
}
flags "$workdir/base-emulator" >"$workdir/base.flags"
flags "$workdir/emulator" >"$workdir/tested.flags"
nb=$(wc -l <"$workdir/base.flags") nt=$(wc -l <"$workdir/tested.flags")
[ "$nb" -gt 100 ] || die "libvirt found only $nb capability flags for the base: probe broken?"
if ! diff -u "$workdir/base.flags" "$workdir/tested.flags"; then
    die "libvirt's capability flags differ between the base ($nb) and $QEMU ($nt)"
fi
echo "ok: caps: libvirt finds the same $nt capability flags for $QEMU as for the base"
