#!/usr/bin/env bash
# Build the unpatched base (pinned tarball + build-only fixes, no series) in
# build/baseline/, for side-by-side comparisons:
# build/baseline/bin/qemu-system-x86_64.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$top/build/baseline/qemu
"$top/scripts/fetch-base.sh"
if [ "$(cat "$src/.pinned-sha256" 2>/dev/null || true)" != "$BASE_ORIG_SHA256" ]; then
    step "baseline: unpacking $BASE_ORIG_TARBALL into $src"
    rm -rf "$top/build/baseline"
    mkdir -p "$src"
    tar xJf "$top/build/dl/$BASE_ORIG_TARBALL" -C "$src" --strip-components=1 --no-same-owner
    for p in "$top"/build-fixes/*.patch; do
        [ -e "$p" ] && patch -s -d "$src" -p1 <"$p"
    done
    echo "$BASE_ORIG_SHA256" >"$src/.pinned-sha256"
    step_done
fi
"$top/scripts/build.sh" "$src" "$src/build" "$top/build/baseline/bin"
