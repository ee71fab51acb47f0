#!/usr/bin/env bash
# `make check`: scripts/check.sh on each base, then one total line
#     N passed, N failed, N skipped
# master (patches/, the series posted upstream) runs the core checks and the
# benchmark smoke run; 10.0 (patches/10.0/, the stable backport) runs the
# core checks plus those that need one base only (libvirt, aarch64, install,
# Debian quilt, fuzz, ASan). Exit status is non-zero on any failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
t0=$SECONDS
rc=0
BASE=master CHECK_BENCH=1 "$top/scripts/check.sh" || rc=1
BASE=10.0 CHECK_EXTRAS=1 "$top/scripts/check.sh" || rc=1
pass=0 fail=0 skip=0
for b in master 10.0; do
    f=$top/build/check-logs/$b.counts
    if [ -f "$f" ]; then
        read -r p fl s <"$f"
        pass=$((pass + p)) fail=$((fail + fl)) skip=$((skip + s))
    else
        echo "check: $b: no result counts ($f): check.sh stopped early"
        fail=$((fail + 1))
    fi
done
echo "== both bases: check took $((SECONDS - t0)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ $rc = 0 ] && [ $fail = 0 ]
