#!/usr/bin/env bash
# Download the pinned QEMU orig tarball (Debian source package) into
# build/dl/ and check its sha256 against base.conf. Cached: a second run only
# re-checks the checksum.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/base.conf"
dl=$top/build/dl
tarball=$dl/$BASE_ORIG_TARBALL
mkdir -p "$dl"

if [ ! -f "$tarball" ]; then
    echo "fetch-base: apt-get source qemu=$BASE_DEB_VERSION ($BASE_SUITE)"
    (cd "$dl" && apt-get source -q --download-only "qemu=$BASE_DEB_VERSION")
fi
[ -f "$tarball" ] || { echo "fetch-base: $tarball missing after download" >&2; exit 1; }

sum=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$sum" != "$BASE_ORIG_SHA256" ]; then
    echo "fetch-base: sha256 mismatch for $BASE_ORIG_TARBALL" >&2
    echo "  expected $BASE_ORIG_SHA256" >&2
    echo "  got      $sum" >&2
    echo "  (moving the base? update base.conf, see README)" >&2
    exit 1
fi
echo "fetch-base: $BASE_ORIG_TARBALL sha256 ok"
