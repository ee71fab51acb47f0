#!/usr/bin/env bash
# Remove build outputs, keeping the download cache (build/dl). Refuses when
# build/qemu holds work that is not exported to patches/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
why=$(unexported_work)
if [ -n "$why" ]; then
    echo "clean: $tree has $why; run 'make export' first" >&2
    exit 1
fi
find "$top/build" -mindepth 1 -maxdepth 1 ! -name dl -exec rm -rf {} +
echo "clean: build/ emptied (build/dl kept)"
