#!/usr/bin/env bash
# Run every case of tests/errors/cases.tsv with the unpatched base and the
# patched QEMU side by side; write the Markdown table
# build/reports/errors.md (case | baseline | patched).
set -euo pipefail
. "$(dirname "$0")/../tests/lib/common.sh"
. "$top/tests/errors/run-case.sh"
. "$top/bases/${BASE:-master}.conf"
base_qemu=$top/build/${BASE:-master}/baseline/bin/qemu-system-x86_64
patched_qemu=$QEMU
[ -x "$base_qemu" ] || { echo "error-report: run 'make baseline' first" >&2; exit 1; }
out=$top/build/reports/errors.md
txt=$top/build/reports/errors.txt
mkdir -p "$(dirname "$out")"

# One cell: exit status and the first line QEMU printed, without its prefix.
cell() {
    local msg
    msg=$( (grep -v 'warning:' <<<"$CASE_OUT" || true; echo "$CASE_OUT") | head -n 1 |
          sed "s/^qemu-system-x86_64: //; s/^-netdev [^ ]*: //; s|$workdir|\$TMP|g; s|$top/||g; s/|/\\\\|/g")
    if [ "$CASE_RC" = 124 ]; then msg="(accepted: still running after 5 s)"; fi
    printf 'exit %s: %s' "$CASE_RC" "${msg:-(nothing)}"
}

topology_up
rm -f "$txt.tmp"
{
    echo "| case | -netdev tap,... | baseline ($BASE_UPSTREAM_VERSION) | patched |"
    echo "| --- | --- | --- | --- |"
    while IFS=$'\t' read -r name setup opts expected _hint; do
        QEMU=$base_qemu run_case "$setup" "$opts"; b=$(cell)
        QEMU=$patched_qemu run_case "$setup" "$opts"; p=$(cell)
        printf '| %s | `%s` | %s | %s |\n' "$name" \
            "$(expand "$opts" | sed "s|$workdir|\$TMP|g")" "$b" "$p"
        printf '%s: -netdev tap,%s\n  before: %s\n  after:  %s\n' "$name" \
            "$(expand "$opts" | sed "s|$workdir|\$TMP|g")" "$b" "$p" >>"$txt.tmp"
        echo "error-report: $name" >&2
    done < <(cases)
} >"$out"
mv "$txt.tmp" "$txt"
echo "error-report: wrote $out and $txt"
