#!/usr/bin/env bash
# Run the benchmarks (bench/): setup cost per queue and the data path, then
# the plots. Writes bench/results/ (or the directory given). Never part of
# `make check`, which only runs `bench.sh --quick` into build/bench-smoke.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
quick=()
[ "${1:-}" = --quick ] && { quick=(--quick); shift; }
out=${1:-$top/bench/results}
mkdir -p "$out"
step "bench: setup cost ${quick[*]}"
/usr/bin/python3 "$top/bench/setup_cost.py" "${quick[@]}" "$out"
step_done
step "bench: data path ${quick[*]}"
/usr/bin/python3 "$top/bench/datapath.py" "${quick[@]}" "$out"
step_done
/usr/bin/python3 "$top/bench/plot.py" "$out"
{ echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
       "$(awk '/MemTotal/ { printf "%d GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)," \
       "accel $(cat "$top/build/accel" 2>/dev/null || echo unknown)"
  echo "date: $(date -u +%Y-%m-%d)"
  echo "series: $(git -C "$tree" rev-parse --short HEAD) ($(git -C "$tree" rev-list --count base..HEAD) patches)"
} >"$out/machine.txt"
cat "$out/machine.txt"
