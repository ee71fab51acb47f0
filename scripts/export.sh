#!/usr/bin/env bash
# Rewrite the series of $BASE (patches/ or patches/10.0/) from base..HEAD of
# build/$BASE/qemu, deterministically: git format-patch --zero-commit
# --no-signature plus a `series` file. 0000-cover-letter.patch is kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
    echo "export: $tree has uncommitted edits; commit them first" >&2
    exit 1
fi
mkdir -p "$series_dir"
find "$series_dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
git -C "$tree" format-patch -q --zero-commit --no-signature --numbered \
    --subject-prefix="PATCH${SERIES_VERSION:+ v$SERIES_VERSION}" \
    -o "$series_dir" base..HEAD
(cd "$series_dir" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '^0000-' || true) >"$series_dir/series"
record_known
echo "export: $(grep -c . "$series_dir/series" || true) patch(es) in $BASE_SERIES_DIR/"
