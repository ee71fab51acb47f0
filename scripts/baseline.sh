#!/usr/bin/env bash
# Build the unpatched base (pinned source + build-only fixes, no series) in
# build/$BASE/baseline/, for side-by-side comparisons:
# build/$BASE/baseline/bin/qemu-system-x86_64.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$out_base/baseline/qemu
if [ "$(cat "$src/.pinned-sha256" 2>/dev/null || true)" != "$BASE_ORIG_SHA256" ]; then
    step "baseline: unpacking $BASE_ORIG_TARBALL into $src"
    rm -rf "$out_base/baseline"
    unpack_base "$src"
    for p in $(build_fixes); do
        patch -s -d "$src" -p1 <"$p"
    done
    echo "$BASE_ORIG_SHA256" >"$src/.pinned-sha256"
    step_done
fi
"$top/scripts/build.sh" "$src" "$src/build" "$baseline_bin"
