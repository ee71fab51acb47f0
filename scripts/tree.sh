#!/usr/bin/env bash
# Create build/$BASE/qemu: the pinned base as a git tree (tag `pristine`), the
# build-only fixes of that base on top (tag `base`), then the base's series
# (patches/ for master, patches/10.0/ for 10.0) applied with git am. Refuses
# to throw away commits or edits not yet exported.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
mapfile -t series < <(series_files)

if [ -d "$tree/.git" ] && git -C "$tree" rev-parse -q --verify refs/tags/base >/dev/null &&
   [ "$(git -C "$tree" config qemu-series.sha256 || true)" = "$BASE_ORIG_SHA256" ] &&
   [ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] &&
   [ "$(patch_ids_of_range base..HEAD)" = "$(patch_ids_of_files "${series[@]}")" ]; then
    echo "tree: $tree already holds the base and the series (${#series[@]} patches)"
    exit 0
fi
why=$(unexported_work)
if [ -n "$why" ]; then
    echo "tree: $tree has $why." >&2
    echo "      Export it first (commit, then 'make export'), or discard it with" >&2
    echo "      'git -C build/$BASE/qemu reset --hard base'." >&2
    exit 1
fi

if [ -d "$tree/.git" ] && [ "$(git -C "$tree" config qemu-series.sha256 || true)" = "$BASE_ORIG_SHA256" ]; then
    step "tree: resetting $tree to base (keeps the build directory)"
    git -C "$tree" checkout -q -f -B series base
else
    step "tree: unpacking $BASE_ORIG_TARBALL into $tree"
    rm -rf "$tree"
    unpack_base "$tree"
    cd "$tree"
    git init -q -b series
    git config qemu-series.sha256 "$BASE_ORIG_SHA256"
    git config am.keepcr false
    git add -A -f
    # Fixed dates: the base commits come out the same on every machine.
    export GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z"
    if [ "$BASE_KIND" = git ]; then
        git commit -q -m "QEMU master ${BASE_COMMIT:0:12} ($BASE_UPSTREAM_VERSION): $BASE_ORIG_TARBALL"
    else
        git commit -q -m "QEMU $BASE_UPSTREAM_VERSION: pristine $BASE_ORIG_TARBALL (Debian $BASE_DEB_VERSION)"
    fi
    git tag pristine
    for p in $(build_fixes); do
        git am -q --committer-date-is-author-date "$p"
    done
    git tag base
    unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
    step_done
fi

if [ ${#series[@]} -gt 0 ]; then
    step "tree: applying ${#series[@]} patch(es) with git am"
    git -C "$tree" am -q --committer-date-is-author-date "${series[@]}"
    step_done
fi
record_known
echo "tree: $tree ready, $(git -C "$tree" rev-list --count base..HEAD) commit(s) on top of base"
