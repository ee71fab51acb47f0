#!/usr/bin/env bash
# Bring the pinned QEMU source of base $BASE into build/dl/ and check its
# sha256 against bases/$BASE.conf. Cached: a second run only re-checks.
#   debian: the orig tarball of Debian's source package (apt-get source);
#   git:    `git archive` of upstream commit BASE_COMMIT, taken from
#           ../shared/upstream/ when it is there, else made from upstream git
#           (QEMU_GIT_URL) on a machine that can reach it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
dl=$top/build/dl
tarball=$dl/$BASE_ORIG_TARBALL
mkdir -p "$dl"

if [ ! -f "$tarball" ]; then
    case $BASE_KIND in
    debian)
        echo "fetch-base: apt-get source qemu=$BASE_DEB_VERSION ($BASE_SUITE)"
        (cd "$dl" && apt-get source -q --download-only "qemu=$BASE_DEB_VERSION")
        ;;
    git)
        shared=$top/../shared/upstream/$BASE_ORIG_TARBALL
        if [ -f "$shared" ]; then
            echo "fetch-base: copying $shared"
            cp "$shared" "$tarball.tmp" && mv "$tarball.tmp" "$tarball"
        else
            url=${QEMU_GIT_URL:-https://gitlab.com/qemu-project/qemu.git}
            echo "fetch-base: git archive of ${BASE_COMMIT:0:10} from $url"
            g=$(mktemp -d)
            trap 'rm -rf "$g"' EXIT
            git -C "$g" init -q
            git -C "$g" fetch -q --depth 1 "$url" "$BASE_COMMIT"
            git -C "$g" archive --format=tar --prefix="${BASE_ORIG_TARBALL%.tar.xz}/" FETCH_HEAD |
                xz -6 >"$tarball.tmp"
            mv "$tarball.tmp" "$tarball"
        fi
        ;;
    *) echo "fetch-base: unknown BASE_KIND '$BASE_KIND' in bases/$BASE.conf" >&2; exit 1 ;;
    esac
fi
[ -f "$tarball" ] || { echo "fetch-base: $tarball missing after download" >&2; exit 1; }

sum=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$sum" != "$BASE_ORIG_SHA256" ]; then
    echo "fetch-base: sha256 mismatch for $BASE_ORIG_TARBALL" >&2
    echo "  expected $BASE_ORIG_SHA256" >&2
    echo "  got      $sum" >&2
    echo "  (moving the base? update bases/$BASE.conf, see README)" >&2
    exit 1
fi
echo "fetch-base: $BASE_ORIG_TARBALL sha256 ok"
# a git archive lacks the meson subprojects: they come with another base
if [ -n "${BASE_SUBPROJECTS_FROM:-}" ]; then
    BASE=$BASE_SUBPROJECTS_FROM "$top/scripts/fetch-base.sh"
fi
