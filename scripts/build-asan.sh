#!/usr/bin/env bash
# Build the series' QEMU with AddressSanitizer and UBSan in build/asan (a
# second build dir of the same tree), with the series' own test programs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export CONFIGURE_EXTRA="--enable-asan --enable-ubsan"
TARGETS=x86_64-softmmu exec "$top/scripts/build.sh" "$tree" "$out_base/asan" "$out_base/asan-bin" -- \
    tests/qtest/netdev-tap tests/unit/test-tap-util
