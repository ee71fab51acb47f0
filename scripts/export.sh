#!/usr/bin/env bash
# Rewrite patches/ from base..HEAD of build/qemu, deterministically:
# git format-patch --zero-commit --no-signature plus a `series` file.
# patches/0000-cover-letter.patch is written by hand and kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
    echo "export: $tree has uncommitted edits; commit them first" >&2
    exit 1
fi
mkdir -p "$top/patches"
find "$top/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
git -C "$tree" format-patch -q --zero-commit --no-signature --no-numbered \
    -o "$top/patches" base..HEAD
(cd "$top/patches" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '^0000-' || true) >"$top/patches/series"
record_known
echo "export: $(grep -c . "$top/patches/series" || true) patch(es) in patches/"
