#!/usr/bin/env bash
# Compose 0000-cover-letter.patch of the series of $BASE from its
# cover-letter.txt (first line: subject; an @ERROR_TABLE@ line takes
# docs/errors-before-after.txt), the shortlog and diffstat of base..HEAD in
# build/$BASE/qemu, and base-commit: for a base that is an upstream commit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$series_dir/cover-letter.txt
table=$top/docs/errors-before-after.txt
out=${1:-$series_dir/0000-cover-letter.patch}
n=$(git -C "$tree" rev-list --count base..HEAD)
subject=$(head -n 1 "$src")
{
    echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
    echo "From: $(git -C "$tree" log -1 --format='%an <%ae>' HEAD)"
    echo "Subject: [PATCH${SERIES_VERSION:+ v$SERIES_VERSION} 00/$n] $subject"
    echo
    tail -n +3 "$src" | while IFS= read -r line; do
        if [ "$line" = "@ERROR_TABLE@" ]; then
            # control bytes a message may quote, escaped (checkpatch)
            sed 's/^/  /' "$table" | perl -pe 's/([\x00-\x08\x0b-\x1f\x7f])/sprintf("\\x%02x", ord($1))/ge'
        else
            printf '%s\n' "$line"
        fi
    done
    echo
    git -C "$tree" shortlog base..HEAD | sed '${/^$/d}'
    echo
    git -C "$tree" diff --stat=72 base..HEAD
    echo
    if [ "$BASE_KIND" = git ]; then
        echo "base-commit: $BASE_COMMIT"
    else
        echo "-- "
        echo "QEMU $BASE_UPSTREAM_VERSION (Debian $BASE_DEB_VERSION, $BASE_ORIG_TARBALL)"
    fi
} >"$out"
echo "cover-letter: wrote $out ($n patches)"
