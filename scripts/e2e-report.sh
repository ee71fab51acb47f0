#!/usr/bin/env bash
# Run every end-to-end test in tests/e2e/ with the unpatched base and with
# the patched QEMU, one after the other, and write the Markdown table
# build/reports/e2e.md: case | what it proves | baseline | patched.
# E2E_ONLY="name ..." limits the run to those tests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
base_qemu=$baseline_bin/qemu-system-x86_64
patched_qemu=$qemu_bin/qemu-system-x86_64
[ -x "$base_qemu" ] || { echo "e2e-report: run 'make baseline' first" >&2; exit 1; }
out=$top/build/reports/e2e.md
logs=$top/build/reports/e2e-logs
mkdir -p "$logs"

# verdict LOG RC: PASS, or FAIL with the test's own reason
verdict() {
    if [ "$2" = 0 ]; then
        echo "PASS"
    elif [ "$2" = 77 ]; then
        echo "n/a: $(tail -n 1 "$1" | sed 's/|/\\|/g' | cut -c1-140)"
    else
        local why
        # every failed case of the test, each cut to 140 characters
        why=$(grep -h '^FAIL' "$1" | sed 's/^FAIL: *//; s/|/\\|/g' | cut -c1-140 |
              awk 'NR > 1 { printf "; " } { printf "%s", $0 }')
        echo "FAIL: ${why:-exit status $2}"
    fi
}

{
    echo "| case | what it proves | baseline ($BASE_UPSTREAM_VERSION) | patched |"
    echo "| --- | --- | --- | --- |"
    for t in "$top"/tests/e2e/*; do
        name=$(basename "${t%.*}")
        # E2E_ONLY="name ...": only these tests
        [ -z "${E2E_ONLY:-}" ] || [[ " $E2E_ONLY " == *" $name "* ]] || continue
        proves=$(grep -m1 -A3 'Proves:' "$t" | sed 's/^[#" ]*//' | tr '\n' ' ' |
                 sed 's/^Proves: //; s/\([.]\) .*/\1/; s/|/\\|/g; s/"""//g')
        row="| $name | $proves "
        for v in baseline patched; do
            q=$patched_qemu; [ $v = baseline ] && q=$base_qemu
            step "e2e-report: $name with the $v" >&2
            rc=0
            case "$t" in
                *.py) QEMU=$q /usr/bin/python3 "$t" >"$logs/$name.$v.log" 2>&1 || rc=$? ;;
                *) QEMU=$q bash "$t" >"$logs/$name.$v.log" 2>&1 || rc=$? ;;
            esac
            step_done >&2
            row+="| $(verdict "$logs/$name.$v.log" $rc) "
        done
        echo "$row|"
    done
} >"$out"
echo "e2e-report: wrote $out (logs in $logs)"
