#!/usr/bin/env bash
# Prove that the quilt series of `make debian-patches` applies, without fuzz,
# on top of Debian's own debian/patches of the pinned package version: the
# orig tarball plus Debian's debian/ (both from the same `apt-get source`,
# checked against base.conf), Debian's series pushed first, then ours. The
# series is refreshed against Debian's tree by construction (a rebase), so
# this also proves the refresh kept every patch and changed no line of one.
set -euo pipefail
# Debian carries the 10.0 base: this is its backport series.
BASE=10.0
. "$(dirname "$0")/lib.sh"
work=$(mktemp -d "$top/build/quilt.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/qemu-$BASE_UPSTREAM_VERSION
step "check-quilt: a fresh Debian tree of $BASE_DEB_VERSION"
debian_unpack "$src"
step_done
"$top/scripts/debian-patches.sh" "$work/ours" >/dev/null
# The refreshed patches must make the same changes as patches/: the same
# lines added and removed, file by file (only context and offsets may differ).
changes() { sed -n '/^diff --git /,$p' "$1" | grep -E '^(diff --git |[-+])' | grep -v -E '^(--- (a/|/dev/null)|\+\+\+ (b/|/dev/null))'; }
mapfile -t series < <(series_files)
[ "$(grep -c . "$work/ours/series")" = ${#series[@]} ] ||
    { echo "check-quilt: $(grep -c . "$work/ours/series") refreshed patches for ${#series[@]} in patches/series"; exit 1; }
for p in "${series[@]}"; do
    if ! diff <(changes "$p") <(changes "$work/ours/macvtap/$(basename "$p")") >"$work/changes.diff"; then
        head -n 20 "$work/changes.diff"
        echo "check-quilt: the refreshed $(basename "$p") changes other lines than patches/ does"
        exit 1
    fi
done
echo "ok: debian-patches: ${#series[@]} refreshed patches make the same changes as patches/ (context may differ)"
cd "$src"
export QUILT_PATCHES=debian/patches QUILT_PC=.pc
debian_n=$(grep -c -v -E '^(#|$)' debian/patches/series)
quilt push -a --fuzz=0 -q >"$work/debian.log" 2>&1 || { cat "$work/debian.log"; echo "check-quilt: Debian's own series does not apply"; exit 1; }
echo "ok: debian: Debian's $debian_n patches applied ($BASE_DEB_VERSION)"
cp -r "$work/ours/macvtap" debian/patches/
cat "$work/ours/series" >>debian/patches/series
ours_n=$(grep -c . "$work/ours/series")
if ! quilt push -a --fuzz=0 >"$work/ours.log" 2>&1; then
    cat "$work/ours.log"
    echo "check-quilt: the series does not apply on top of Debian's patches without fuzz"
    exit 1
fi
grep -i -E 'offset|fuzz' "$work/ours.log" || true
[ "$(quilt applied | grep -c '^debian/patches/macvtap/\|^macvtap/')" = "$ours_n" ] ||
    { quilt applied; echo "check-quilt: not all $ours_n patches are applied"; exit 1; }
# every patch carries the DEP-3 fields
for f in debian/patches/macvtap/*.patch; do
    for h in Description Author Forwarded Last-Update; do
        grep -q "^$h: " "$f" || { echo "check-quilt: $f has no $h:"; exit 1; }
    done
done
echo "ok: quilt: the series' $ours_n patches applied on top, without fuzz, with DEP-3 headers"
