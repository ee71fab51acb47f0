# Shared bits for the project scripts (sourced, not run).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# BASE names the pinned base (bases/$BASE.conf) and so the series that goes
# with it: master (patches/, what is posted upstream) or 10.0 (the stable
# backport, patches/10.0/). Everything built for a base lives in build/$BASE/.
BASE=${BASE:-master}
[ -f "$top/bases/$BASE.conf" ] || { echo "no base '$BASE': see bases/*.conf" >&2; exit 1; }
export BASE
. "$top/bases/$BASE.conf"
out_base=$top/build/$BASE
series_dir=$top/$BASE_SERIES_DIR
tree=$out_base/qemu
bld=$tree/build
qemu_bin=$out_base/bin
baseline_bin=$out_base/baseline/bin
export GIT_CONFIG_PARAMETERS="'safe.directory=*'"

# Print a step with a timestamp; `step_done` prints its duration.
step() { step_t0=$SECONDS; echo "==> $*"; }
step_done() { echo "    ($((SECONDS - step_t0)) s)"; }

# Stable patch-ids of a set of patch files / of a commit range.
patch_ids_of_files() { [ $# -eq 0 ] || cat "$@" | git patch-id --stable | cut -d' ' -f1 | sort; }
patch_ids_of_range() {
    git -C "$tree" log --reverse -p --format='commit %H' "$1" | git patch-id --stable | cut -d' ' -f1 | sort
}
# The series files, in order (patches/series), as paths.
series_files() {
    local f
    [ -f "$series_dir/series" ] || return 0
    while read -r f; do
        case "$f" in ''|'#'*) continue ;; esac
        echo "$series_dir/$f"
    done <"$series_dir/series"
}

# Why build/qemu holds work that patches/ does not (empty when it holds none).
unexported_work() {
    [ -d "$tree/.git" ] || return 0
    if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
        echo "uncommitted edits"
        return 0
    fi
    git -C "$tree" rev-parse -q --verify refs/tags/base >/dev/null || return 0
    # Commits that came from patches/ (recorded by tree.sh and export.sh)
    # are not work: a newer patches/, e.g. after git pull, supersedes them.
    local extra known=$tree/.git/qemu-series-known
    extra=$(comm -23 <(patch_ids_of_range base..HEAD) \
                     <(sort -u <(patch_ids_of_files $(series_files)) "$known" 2>/dev/null) |
            grep -c . || true)
    [ "$extra" = 0 ] || echo "$extra commit(s) on top of base that patches/ does not have"
}

# Remember the patch-ids of base..HEAD as known to patches/.
record_known() {
    patch_ids_of_range base..HEAD >>"$tree/.git/qemu-series-known"
    sort -u -o "$tree/.git/qemu-series-known" "$tree/.git/qemu-series-known"
}

# debian_unpack DIR: the pinned orig tarball plus Debian's debian/ of the same
# version (checked against base.conf) in DIR, Debian's patches not applied.
debian_unpack() {
    local deb=$top/build/dl/$BASE_DEBIAN_TARBALL
    "$top/scripts/fetch-base.sh" >/dev/null
    [ -f "$deb" ] || (cd "$top/build/dl" && apt-get source -q --download-only "qemu=$BASE_DEB_VERSION")
    [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$BASE_DEBIAN_SHA256" ] ||
        { echo "sha256 mismatch for $deb (see base.conf)" >&2; return 1; }
    mkdir -p "$1"
    tar xJf "$top/build/dl/$BASE_ORIG_TARBALL" -C "$1" --strip-components=1 --no-same-owner
    tar xJf "$deb" -C "$1" --no-same-owner
}

# unpack_base DIR: the pinned source of $BASE in DIR (fetched and checked),
# with the meson subprojects a git archive lacks; no build fixes applied.
unpack_base() {
    "$top/scripts/fetch-base.sh" >/dev/null
    mkdir -p "$1"
    tar xJf "$top/build/dl/$BASE_ORIG_TARBALL" -C "$1" --strip-components=1 --no-same-owner
    if [ -n "${BASE_SUBPROJECTS_FROM:-}" ]; then
        local from s
        from=$(. "$top/bases/$BASE_SUBPROJECTS_FROM.conf" && echo "$BASE_ORIG_TARBALL")
        for s in $BASE_SUBPROJECTS; do
            [ -e "$1/subprojects/$s" ] && { echo "unpack_base: $s is in the tarball" >&2; return 1; }
            tar xJf "$top/build/dl/$from" -C "$1" --strip-components=1 --no-same-owner \
                --wildcards "*/subprojects/$s/*"
        done
    fi
}
# The build-only fixes of $BASE (not part of the series), in order.
build_fixes() { local p; for p in "$top/build-fixes/$BASE"/*.patch; do [ -e "$p" ] && echo "$p"; done; true; }

# qemu_wrapper DIR QEMU: DIR/qemu-system-x86_64 runs QEMU with the firmware
# directory (qtests want a binary of that name; -L for the ROMs).
qemu_wrapper() {
    mkdir -p "$1"
    printf '#!/bin/sh\nexec %q -L %q "$@"\n' "$2" "$top/build/firmware" >"$1/qemu-system-x86_64"
    chmod +x "$1/qemu-system-x86_64"
}
