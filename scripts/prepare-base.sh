#!/usr/bin/env bash
# Everything `make check` needs of one base ($BASE): its tree with the
# series, the patched build (TARGETS) and the unpatched baseline (x86_64).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
echo "==> base $BASE: $BASE_SERIES_DIR/ on QEMU $BASE_UPSTREAM_VERSION"
"$top/scripts/tree.sh"
"$top/scripts/build.sh"
TARGETS=x86_64-softmmu "$top/scripts/baseline.sh"
