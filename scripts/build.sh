#!/usr/bin/env bash
# Configure (once) and build QEMU in build/$BASE/qemu/build; link the binary
# to build/$BASE/bin/. Extra ninja targets (e.g. qtest binaries) may be given.
# Usage: build.sh [SRC_DIR BUILD_DIR BIN_DIR] -- [ninja targets...]
# CONFIGURE_EXTRA adds configure options (e.g. sanitizers) to a new build dir.
# TARGETS (default x86_64-softmmu) names the system emulators to build; a
# build dir configured for fewer is reconfigured for the union.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$tree out=$bld bin=$qemu_bin
if [ "${1:-}" != -- ] && [ $# -ge 3 ]; then src=$1 out=$2 bin=$3; shift 3; fi
[ "${1:-}" = -- ] && shift

[ -f "$src/configure" ] || { echo "build: no QEMU tree at $src (run 'make tree')" >&2; exit 1; }
targets=${TARGETS:-x86_64-softmmu}
configured=$(sed -n 's/^TARGET_DIRS=//p' "$out/config-host.mak" 2>/dev/null || true)
want=$configured
for t in $targets; do
    case " $configured " in *" $t "*) ;; *) want="$want $t" ;; esac
done
want=$(echo $want)
if [ ! -f "$out/build.ninja" ] || [ "$want" != "$configured" ]; then
    step "build: configure in $out for $want"
    mkdir -p "$out"
    # QEMU's configure names the compiler itself, so meson does not add
    # ccache on its own: name it here.
    (cd "$out" && "$src/configure" --python=/usr/bin/python3 --cc="ccache cc" \
        --target-list="${want// /,}" --disable-docs --enable-slirp \
        --disable-install-blobs --disable-download --enable-werror \
        ${CONFIGURE_EXTRA:-} >"$out/configure.log" 2>&1) || {
        tail -n 30 "$out/configure.log" >&2; exit 1; }
    step_done
fi
# Cache hits across clones at other paths (CI) need relative paths and no
# working directory in the hash.
export CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=true
exes=()
for t in $targets; do exes+=("qemu-system-${t%-softmmu}"); done
step "build: ninja ${exes[*]} qemu-bridge-helper $*"
ninja -C "$out" -j"$(nproc)" "${exes[@]}" qemu-bridge-helper "$@"
step_done
mkdir -p "$bin"
for e in "${exes[@]}"; do
    ln -sfn "$out/$e" "$bin/$e"
    echo "build: $bin/$e -> $out/$e"
done
