#!/usr/bin/env bash
# Build the libFuzzer harness fuzz/tap-util-fuzz.c against the series' net/
# tap-util.c (clang, ASan + UBSan) and run it for FUZZ_SECONDS (default 60)
# from the seed corpus in fuzz/corpus. Fails on any crash, sanitizer report
# or disagreement with the harness's model; the input is kept in build/fuzz.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=$top/build/fuzz
seconds=${FUZZ_SECONDS:-60}
[ -f "$bld/libqemuutil.a" ] || { echo "fuzz: no $bld/libqemuutil.a (run 'make build')" >&2; exit 1; }
mkdir -p "$out/corpus"

step "fuzz: build $out/tap-util-fuzz"
san=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
# shellcheck disable=SC2046
clang -g -O1 "${san[@]}" -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -std=gnu11 \
    -I"$tree/include" -I"$bld" -I"$tree" $(pkg-config --cflags glib-2.0) \
    "$top/fuzz/tap-util-fuzz.c" "$tree/net/tap-util.c" \
    "$bld/libqemuutil.a" $(pkg-config --libs glib-2.0) -lm -lpthread \
    -o "$out/tap-util-fuzz"
step_done

step "fuzz: run for $seconds s (seeds: fuzz/corpus, $(ls "$top/fuzz/corpus" | wc -l) files)"
rc=0
(cd "$out" && ./tap-util-fuzz -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$out/" corpus "$top/fuzz/corpus") >"$out/run.log" 2>&1 || rc=$?
step_done
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/run.log")
crashes=$(find "$out" -maxdepth 1 -name 'crash-*' -newer "$out/tap-util-fuzz" | wc -l)
if [ $rc != 0 ]; then
    tail -n 30 "$out/run.log" >&2
    echo "fuzz: FAILED after ${runs:-?} inputs; reproduce: $out/tap-util-fuzz $out/crash-*" >&2
    exit 1
fi
echo "ok: fuzz: ${runs} inputs in ${seconds} s, corpus $(ls "$out/corpus" | wc -l) files, $crashes crashes"
