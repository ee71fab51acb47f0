#!/usr/bin/env bash
# Build the series with AddressSanitizer + UBSan (build/asan) and run the
# series' own tests on that build: the unit test, the netdev-tap qtest, the
# bad-input suite over every front end and the fault tests. Every process
# writes sanitizer output to build/asan-reports; any report (an ASan or LSan
# "ERROR:", a UBSan "runtime error:") fails the run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
asan=$out_base/asan
reports=$out_base/asan-reports
"$top/scripts/build-asan.sh"
rm -rf "$reports" && mkdir -p "$reports"
chmod 1777 "$reports"   # QEMU also runs as nobody
# full stacks for leaks, so that suppressions can name the base's functions
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$top/tests/asan/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
wrap=$out_base/asan-bin/wrap
qemu_wrapper "$wrap" "$asan/qemu-system-x86_64"

failed=0
# each test: its own verdict, then the sanitizers'
run() {
    local name=$1 rc=0 log=$reports/$1.log
    shift
    step "asan: $name"
    "$@" >"$log" 2>&1 || rc=$?
    step_done
    if [ $rc != 0 ]; then
        tail -n 20 "$log"
        echo "FAIL: $name (exit $rc) under ASan/UBSan, log: $log"
        failed=$((failed + 1))
    else
        echo "ok: $name under ASan/UBSan: $(grep -E '^(ok: [0-9]+ bad inputs|[0-9]+ fault check|tap: )' "$log" | tail -n 1)"
    fi
}
# tap_ok PROGRAM: a GLib test program passes with at least one case run
tap_ok() {
    local out rc=0 n
    out=$(cd "$asan" && "$1" --tap -k 2>&1) || rc=$?
    echo "$out"
    n=$(grep -c '^ok ' <<<"$out" || true)
    echo "tap: exit $rc, $n ok, $(grep -c '^not ok' <<<"$out" || true) not ok"
    [ $rc = 0 ] && [ "$n" -gt 0 ] && ! grep -q '^not ok' <<<"$out"
}
run unit-test-tap-util tap_ok tests/unit/test-tap-util
QTEST_QEMU_BINARY="$wrap/qemu-system-x86_64" run qtest-netdev-tap tap_ok tests/qtest/netdev-tap
run bad-inputs env QEMU="$asan/qemu-system-x86_64" /usr/bin/python3 "$top/tests/e2e/bad-inputs.py"
run faults env QEMU="$asan/qemu-system-x86_64" FAULT_NO_RSS=1 /usr/bin/python3 "$top/tests/e2e/faults.py"

found=$(grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$reports"/asan.* "$reports"/ubsan.* 2>/dev/null || true)
if [ -n "$found" ]; then
    for f in $found; do echo "--- $f"; head -n 40 "$f"; done
    echo "FAIL: sanitizer reports in: $found"
    exit 1
fi
echo "ok: sanitizers: 0 reports (ASan, LSan, UBSan) from the runs above;" \
    "suppressed: $(grep -c '^leak:' "$top/tests/asan/lsan.supp") known base-QEMU leak(s), tests/asan/lsan.supp"
[ $failed = 0 ]
