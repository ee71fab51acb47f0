#!/usr/bin/env bash
# Run every check of one base ($BASE, default master), each reported as a
# named test, then one summary line
#     N passed, N failed, N skipped
# (also written to build/check-logs/$BASE.counts for scripts/check-all.sh).
# Exit status is non-zero on any failure. A skip never counts as a pass.
# Logs: build/check-logs/$BASE/<name>.log.
# CHECK_EXTRAS=1 adds the checks that run on one base only: libvirt,
# aarch64, install, the Debian quilt series, fuzz, ASan. CHECK_BENCH=1 adds
# the benchmark smoke run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
logs=$top/build/check-logs/$BASE
rm -rf "$logs" "$logs.counts" && mkdir -p "$logs"
extras=${CHECK_EXTRAS:-0}
pass=0 fail=0 skip=0
t_start=$SECONDS
mapfile -t series < <(series_files)

# run_test NAME CMD...: one named test; its output goes to its log.
run_test() {
    local name=$1 log t0=$SECONDS rc=0
    shift
    log=$logs/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log
    printf '%-66s ' "$BASE: $name"
    "$@" >"$log" 2>&1 || rc=$?
    if [ $rc = 0 ]; then
        pass=$((pass + 1)); echo "PASS ($((SECONDS - t0)) s)"
        # the cases inside an end-to-end test, by name
        [ "${SHOW_CASES:-0}" = 0 ] || grep -E '^ok[: ]' "$log" | sed 's/^/      /' || true
    elif [ $rc = 77 ]; then
        skip=$((skip + 1)); echo "SKIP: $(tail -n 1 "$log")"
    else
        fail=$((fail + 1)); echo "FAIL ($((SECONDS - t0)) s), log: $log"
        tail -n 15 "$log" | sed 's/^/    | /'
    fi
}
skip_test() { printf '%-66s SKIP: %s\n' "$BASE: $1" "$2"; skip=$((skip + 1)); }

# 1. The series applies with git am to the pristine base (not the build fixes).
applies() {
    local wt=$out_base/check-am
    git -C "$tree" worktree remove -f "$wt" 2>/dev/null || rm -rf "$wt"
    git -C "$tree" worktree prune
    git -C "$tree" worktree add -q --detach "$wt" pristine
    git -C "$wt" am "${series[@]}"
    local n; n=$(git -C "$wt" rev-list --count pristine..HEAD)
    git -C "$tree" worktree remove -f "$wt"
    echo "applied $n patch(es)"
    [ "$n" = "${#series[@]}" ]
}
echo "== $BASE: series $BASE_SERIES_DIR/ (${#series[@]} patches)"
if [ ${#series[@]} -eq 0 ]; then
    skip_test "series: applies to pristine $BASE_UPSTREAM_VERSION" "$BASE_SERIES_DIR/series is empty"
else
    run_test "series: applies to pristine $BASE_UPSTREAM_VERSION" applies
fi

# The cover letter's shortlog and diffstat must match the series.
cover_current() {
    local tmp; tmp=$(mktemp)
    "$top/scripts/cover-letter.sh" "$tmp" >/dev/null
    diff -u "$series_dir/0000-cover-letter.patch" "$tmp"; local rc=$?
    rm -f "$tmp"
    [ $rc = 0 ] || echo "patches/0000-cover-letter.patch is stale: run 'make cover-letter'"
    return $rc
}
cover=()
if [ ${#series[@]} -gt 0 ] && [ -f "$series_dir/cover-letter.txt" ]; then
    run_test "series: cover letter matches the series" cover_current
    cover=("$series_dir/0000-cover-letter.patch")
fi

# 2. checkpatch on every patch and on the cover letter: 0 errors.
checkpatch() {
    local out
    out=$(cd "$tree" && ./scripts/checkpatch.pl --no-color "$1" 2>&1) || true
    echo "$out"
    ! echo "$out" | grep -q '^ERROR:' && echo "$out" | grep -q '^total: 0 errors'
}
for p in "${cover[@]}" "${series[@]}"; do
    run_test "checkpatch: $(basename "$p")" checkpatch "$p"
done

# tap_run CMD...: run a GLib test program with --tap; passes only if it exits 0,
# reports no "not ok", ran at least one case and skipped none (any skipped
# case makes the whole program a SKIP, never a PASS).
tap_run() {
    local out rc=0 ran skipped
    out=$(cd "$bld" && timeout 600 "$@" --tap -k 2>&1) || rc=$?
    echo "$out"
    ran=$(grep -c '^ok ' <<<"$out" || true)
    skipped=$(grep -c '^ok .*# SKIP' <<<"$out" || true)
    echo "tap: exit $rc, $ran ok ($skipped skipped), $(grep -c '^not ok' <<<"$out" || true) not ok"
    [ $rc = 0 ] && ! grep -q '^not ok' <<<"$out" && [ "$ran" -gt 0 ] || return 1
    # a program with skipped cases did not fully pass: report it as a skip
    if [ "$skipped" -gt 0 ]; then
        echo "$skipped of $ran case(s) skipped: $(grep -m1 '^ok .*# SKIP' <<<"$out" | sed 's/.*# SKIP *//')"
        return 77
    fi
}
# 3. Every patch builds on its own (incremental, ccache), oldest first, in a
#    worktree of its own so that build/qemu is never touched, and passes the
#    unit tests and qtests the series has added up to that patch.
each=$out_base/check-each
build_each() {
    local t tests=() targets=(qemu-system-x86_64) wrap=$out_base/qtest-each
    git -C "$each" checkout -q --detach "$1" || return 1
    for t in $(git -C "$each" diff --name-only --diff-filter=A base..HEAD -- \
               'tests/qtest/*.c' 'tests/unit/*.c' | grep -v /libqos/); do
        tests+=("${t%.c}")
    done
    ninja -C "$each/build" "${targets[@]}" "${tests[@]}" || return 1
    qemu_wrapper "$wrap" "$each/build/qemu-system-x86_64"
    for t in "${tests[@]}"; do
        echo "== $t"
        QTEST_QEMU_BINARY=$wrap/qemu-system-x86_64 tap_run "$each/build/$t" || return 1
    done
    echo "ok: built, and ${#tests[@]} test program(s) added so far passed"
}
if [ ${#series[@]} -gt 0 ]; then
    if ! git -C "$each" rev-parse -q --verify HEAD >/dev/null 2>&1 ||
       [ "$(git -C "$each" rev-parse --git-common-dir)" != "$(git -C "$tree" rev-parse --absolute-git-dir)" ]; then
        rm -rf "$each"
        git -C "$tree" worktree prune
        git -C "$tree" worktree add -q --detach "$each" base
    fi
    if ! TARGETS=x86_64-softmmu "$top/scripts/build.sh" "$each" "$each/build" "$each/bin" >"$logs/build-each-setup.log" 2>&1; then
        echo "build: each patch: could not set up $each, see $logs/build-each-setup.log"
        fail=$((fail + 1))
    fi
    i=0
    for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
        i=$((i + 1))
        SHOW_CASES=1 run_test "build+test: patch $i/${#series[@]} $(git -C "$tree" log -1 --format=%s "$c" | cut -c1-40)" build_each "$c"
    done
fi

# 4. QEMU's qtests and unit tests: the net regression set plus every test the
#    series adds. QEMU gets the firmware directory through a wrapper.
echo "== QEMU tests"
added=$(git -C "$tree" diff --name-only --diff-filter=A base..HEAD -- 'tests/qtest/*.c' 'tests/unit/*.c' |
        grep -v '/libqos/' | sed 's/\.c$//' || true)
qtests=(netdev-socket test-netfilter test-filter-mirror test-filter-redirector qos-test)
targets=(qemu-system-x86_64)
for t in "${qtests[@]}"; do targets+=("tests/qtest/$t"); done
for t in $added; do targets+=("$t"); done
run_test "build: QEMU and its test binaries" ninja -C "$bld" "${targets[@]}"
wrap=$out_base/qtest-bin
qemu_wrapper "$wrap" "$bld/qemu-system-x86_64"
export QTEST_QEMU_BINARY=$wrap/qemu-system-x86_64 MALLOC_PERTURB_=71
qtest() { local bin=$bld/tests/qtest/$1; shift; tap_run "$bin" "$@"; }
for t in netdev-socket test-netfilter test-filter-mirror test-filter-redirector; do
    run_test "qtest: $t" qtest "$t"
done
qos_virtio_net() {
    local paths=() p
    while read -r p; do paths+=(-p "$p"); done < <("$bld/tests/qtest/qos-test" -l | grep 'virtio-net')
    echo "${#paths[@]} virtio-net path arguments"
    [ ${#paths[@]} -gt 0 ] && qtest qos-test "${paths[@]}"
}
run_test "qtest: qos-test virtio-net cases" qos_virtio_net
for t in $added; do
    case "$t" in
        tests/qtest/*) run_test "qtest: $(basename "$t") (added by the series)" qtest "$(basename "$t")" ;;
        tests/unit/*) run_test "unit: $(basename "$t") (added by the series)" tap_run "$bld/$t" ;;
    esac
done
# The netdev-tap qtest as root of a user namespace, as in a rootless
# container: /dev can be mounted there but no node made, so the cases that
# need root must skip and the others still pass.
qtest_userns() {
    local out c rc=0
    out=$(cd "$bld" && timeout 300 unshare -Ur tests/qtest/netdev-tap --tap -k 2>&1) || rc=$?
    echo "$out"
    [ $rc = 0 ] && ! grep -q '^not ok' <<<"$out" || return 1
    for c in no-queues fd-queues dev-rules; do
        grep -q "^ok [0-9]* /[a-z0-9_]*/netdev/tap/$c\$" <<<"$out" ||
            { echo "$c did not pass"; return 1; }
    done
    grep -q '^ok .*/macvtap/queues # SKIP' <<<"$out" || { echo "macvtap/queues did not skip"; return 1; }
}
if [ -x "$bld/tests/qtest/netdev-tap" ]; then
    run_test "qtest: netdev-tap as root of a user namespace (root-only cases skip)" qtest_userns
fi

# 5. Project-level tests.
echo "== project tests (tests/e2e)"
for t in "$top"/tests/e2e/*; do
    case "$(basename "$t")" in
        libvirt-*|aarch64-*) [ "$extras" = 1 ] || continue ;;
    esac
    case "$t" in
        *.sh) SHOW_CASES=1 run_test "e2e: $(basename "$t" .sh)" bash "$t" ;;
        *.py) SHOW_CASES=1 run_test "e2e: $(basename "$t" .py)" /usr/bin/python3 "$t" ;;
    esac
done

# The tap command lines of tests/compat/cases.tsv with the base (built by
# `make check` before this script) and the patched binary, side by side.
SHOW_CASES=1 run_test "compat: base tap command lines with base and patched QEMU" \
    /usr/bin/python3 "$top/tests/compat/compat.py"

# 5b. Installing and packaging: make install into a temporary DESTDIR, and
#     the quilt series for Debian on top of Debian's own patches.
if [ "$extras" = 1 ]; then
echo "== install and packaging"
SHOW_CASES=1 run_test "install: DESTDIR install runs the demo line without -L, uninstall" \
    bash "$top/tests/install/installed-qemu.sh"
if [ ${#series[@]} -gt 0 ]; then
    SHOW_CASES=1 run_test "debian: quilt series applies on Debian's debian/patches, no fuzz" \
        "$top/scripts/check-quilt.sh"
fi
fi

# 6. Robustness: the fuzzer over the pure helpers, and the series' tests
#    again on an ASan/UBSan build.
echo "== robustness"
if [ ${#series[@]} -gt 0 ] && [ "$extras" = 1 ]; then
    SHOW_CASES=1 run_test "fuzz: tap-util helpers, ${FUZZ_SECONDS:-60} s" "$top/scripts/fuzz.sh"
    SHOW_CASES=1 run_test "asan: series tests under ASan/LSan/UBSan" "$top/scripts/check-asan.sh"
fi

# 7. The benchmark scripts still work: a quick run into build/bench-smoke
#    (numbers are not judged here; `make bench` measures).
echo "== bench (smoke run)"
bench_smoke() {
    local out=$out_base/bench-smoke f
    rm -rf "$out"
    "$top/scripts/bench.sh" --quick "$out"
    for f in setup-syscalls.csv setup-time.csv datapath.csv setup-syscalls.png setup-time.png datapath.png; do
        [ -s "$out/$f" ] || { echo "bench smoke: $out/$f missing"; return 1; }
    done
    echo "ok: bench smoke: every CSV and PNG written"
    # the setup cost the series promises: per macvtap queue and per netdev
    awk -F, '$1 == "ifname" || $1 == "dev" {
        printf "%s: %s system calls per queue (at most 13), %s per netdev (at most 13)\n", $1, $2, $3
        if ($2 > 13.0 || $3 > 13.0) bad = 1 }
        END { exit bad }' "$out/setup-summary.csv" || { echo "bench smoke: setup cost over budget"; return 1; }
    echo "ok: bench smoke: setup cost within 13 system calls per queue and 13 per netdev"
}
if [ "${CHECK_BENCH:-0}" = 1 ]; then
    SHOW_CASES=1 run_test "bench: smoke run of setup_cost, datapath, plot" bench_smoke
fi

# 8. The documentation: the macvtap section parses, and every message it
#    quotes was printed by one of the tests above.
echo "== docs"
if [ ${#series[@]} -gt 0 ]; then
    run_test "docs: net.rst macvtap section parses, its messages are tested" \
        /usr/bin/python3 "$top/scripts/check-docs.py" "$top"
fi

echo "== $BASE: check took $((SECONDS - t_start)) s"
echo "$pass $fail $skip" >"$logs.counts"
echo "$BASE: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
