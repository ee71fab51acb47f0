#!/usr/bin/env bash
# Remove exactly what `make install` installed (same PREFIX and DESTDIR): the
# files listed in its manifest, then the directories it created (each only
# if empty), then the manifest itself.
set -euo pipefail
prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}
manifest=$dest$prefix/share/qemu-macvtap-series/installed
[ -f "$manifest" ] || { echo "uninstall: nothing installed under $dest$prefix ($manifest missing)"; exit 0; }
mapfile -t entries <"$manifest"
n=0
for e in "${entries[@]}"; do
    [ "${e%% *}" = file ] || continue
    [ "$dest${e#file }" = "$manifest" ] && continue
    rm -f "$dest${e#file }"; n=$((n + 1))
done
rm -f "$manifest"
# the directories it created, deepest first
for e in "${entries[@]}"; do
    if [ "${e%% *}" = dir ]; then echo "${e#dir }"; fi
done | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
    while read -r d; do rmdir "$dest$d" 2>/dev/null || echo "uninstall: kept $dest$d (not empty)"; done
echo "uninstall: removed $n files from $dest$prefix"
