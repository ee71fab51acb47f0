#!/usr/bin/env bash
# Install the built emulators (TARGETS), qemu-bridge-helper and the firmware
# in QEMU's own layout: PREFIX/bin/qemu-system-ARCH,
# PREFIX/libexec/qemu-bridge-helper, PREFIX/share/qemu/ (QEMU finds its data
# and helper relative to its binary, so any PREFIX works). DESTDIR is
# honoured. Every file and directory made is listed in
# PREFIX/share/qemu-macvtap-series/installed, which `make uninstall` reads;
# a file that exists already and is not in that list is never overwritten.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}
root=$dest$prefix
manifest_rel=share/qemu-macvtap-series/installed
manifest=$root/$manifest_rel
fw=$top/build/firmware

files=()   # "SOURCE TARGET-RELATIVE-TO-PREFIX MODE"
for t in ${TARGETS:-x86_64-softmmu}; do
    exe=qemu-system-${t%-softmmu}
    [ -x "$bld/$exe" ] || { echo "install: $bld/$exe not built (make build TARGETS='$t')" >&2; exit 1; }
    files+=("$bld/$exe bin/$exe 0755")
done
[ -x "$bld/qemu-bridge-helper" ] || { echo "install: $bld/qemu-bridge-helper not built (make build)" >&2; exit 1; }
files+=("$bld/qemu-bridge-helper libexec/qemu-bridge-helper 0755")
for f in "$fw"/*; do
    files+=("$f share/qemu/$(basename "$f") 0644")
done

# what an earlier install of ours recorded may be replaced
declare -A ours=()
if [ -f "$manifest" ]; then
    while read -r kind path; do ours[$path]=1; done <"$manifest"
fi
for e in "${files[@]}"; do
    read -r src rel mode <<<"$e"
    if [ -e "$root/$rel" ] && [ -z "${ours[$prefix/$rel]:-}" ]; then
        echo "install: $root/$rel exists and is not from an earlier 'make install': not overwriting it" >&2
        exit 1
    fi
done

step "install: ${#files[@]} files into $root"
[ -z "$dest" ] || mkdir -p "$dest"
# The manifest grows as files are installed (an interrupted install is still
# recorded) and keeps what earlier installs recorded (e.g. more TARGETS).
# Directories that did not exist are recorded, so that uninstall removes them.
record() {
    grep -q -x -F "$1" "$manifest" 2>/dev/null || echo "$1" >>"$manifest"
}
mkdir_p() {
    local d=$1 missing=()
    while [ ! -d "$dest$d" ]; do missing=("$d" "${missing[@]}"); d=$(dirname "$d"); done
    for d in "${missing[@]}"; do
        mkdir "$dest$d"
        [ -d "$(dirname "$manifest")" ] && record "dir $d" || pending+=("dir $d")
    done
}
pending=()
mkdir_p "$(dirname "$prefix/$manifest_rel")"
for e in "${pending[@]}"; do record "$e"; done
record "file $prefix/$manifest_rel"
for e in "${files[@]}"; do
    read -r src rel mode <<<"$e"
    mkdir_p "$(dirname "$prefix/$rel")"
    record "file $prefix/$rel"
    install -m "$mode" "$src" "$root/$rel"    # follows the firmware symlinks
done
step_done
echo "install: $(grep -c '^file ' "$manifest") files recorded in $manifest"
