#!/usr/bin/env bash
# Write the series as a quilt series with DEP-3 headers for Debian's
# debian/patches (and downstreams like Proxmox's), refreshed against
# Debian's own patches of the pinned version so that it applies without
# fuzz on top of them:
#   build/debian-patches/macvtap/NNNN-*.patch   one per patch of patches/series
#   build/debian-patches/series                 lines to append to debian/patches/series
# How: in a scratch git repository, the series on the orig tree, rebased
# onto the orig tree with Debian's patches pushed, then format-patch. Each header: Description (subject, then the commit message),
# Author, Forwarded: no (not yet sent to qemu-devel), Last-Update (the
# commit date).
set -euo pipefail
# Debian carries the 10.0 base: this is its backport series.
BASE=10.0
. "$(dirname "$0")/lib.sh"
out=${1:-$top/build/debian-patches}
mkdir -p "$top/build"
work=$(mktemp -d "$top/build/debian-patches.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/qemu
step "debian-patches: Debian's tree of $BASE_DEB_VERSION"
debian_unpack "$src"
g() { git -C "$src" -c user.name=debian-patches -c user.email=debian-patches@invalid "$@"; }
g init -q
g add -A && g commit -q -m "$BASE_UPSTREAM_VERSION orig with debian/"
g tag orig
(cd "$src" && QUILT_PATCHES=debian/patches quilt push -a -q --fuzz=0 >/dev/null && rm -rf .pc)
g add -A && g commit -q -m "$BASE_DEB_VERSION: debian/patches applied"
g tag debian
step_done
# the series on the orig tree first (as it was made), then rebased onto
# Debian's: a three-way rebase, since Debian's patches change some context
mapfile -t series < <(series_files)
[ ${#series[@]} -gt 0 ] || { echo "debian-patches: patches/series is empty" >&2; exit 1; }
g checkout -q -b series orig
g am -q --committer-date-is-author-date "${series[@]}"
if ! g rebase -q --onto debian orig series; then
    echo "debian-patches: the series conflicts with Debian's patches" >&2
    exit 1
fi
# a rebase drops commits that became empty: every patch must still be there
[ "$(g rev-list --count debian..series)" = ${#series[@]} ] ||
    { echo "debian-patches: the rebase onto Debian's patches lost a patch" >&2; exit 1; }
g format-patch -q --zero-commit --no-signature --no-numbered -o "$work/fp" debian..series

rm -rf "$out"
mkdir -p "$out/macvtap"
: >"$out/series"
for p in "$work"/fp/*.patch; do
    name=$(basename "$p")
    python3 - "$p" "$out/macvtap/$name" <<'PY'
import email.header, email.utils, re, sys
src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
head, _, rest = text.partition("\n\n")
fields = {}
for line in re.sub(r"\n[ \t]+", " ", head).splitlines():
    key, _, value = line.partition(": ")
    fields[key] = str(email.header.make_header(email.header.decode_header(value)))
subject = re.sub(r"^\[PATCH[^\]]*\]\s*", "", fields["Subject"])
# the commit message ends at the "---" line before the diffstat
body, sep, diff = rest.partition("\n---\n")
if not sep:
    sys.exit(f"{src}: no '---' line after the commit message")
date = email.utils.parsedate_to_datetime(fields["Date"]).strftime("%Y-%m-%d")
desc = [f"Description: {subject}"]
for line in body.strip("\n").splitlines():
    desc.append(" " + line if line.strip() else " .")
with open(dst, "w", encoding="utf-8") as f:
    f.write("\n".join(desc) + "\n")
    f.write(f"Author: {fields['From']}\n")
    f.write("Forwarded: no\n")
    f.write(f"Last-Update: {date}\n")
    f.write("---\n" + diff)
PY
    echo "macvtap/$name" >>"$out/series"
done
echo "debian-patches: $(grep -c . "$out/series") patch(es) in $out/macvtap; append $out/series to debian/patches/series"
