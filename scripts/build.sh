#!/usr/bin/env bash
# Configure (once) and build QEMU in build/qemu/build; link the binary to
# build/bin/. Extra ninja targets (e.g. qtest binaries) may be given.
# Usage: build.sh [SRC_DIR BUILD_DIR BIN_DIR] -- [ninja targets...]
# CONFIGURE_EXTRA adds configure options (e.g. sanitizers) to a new build dir.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=$tree out=$bld bin=$top/build/bin
if [ "${1:-}" != -- ] && [ $# -ge 3 ]; then src=$1 out=$2 bin=$3; shift 3; fi
[ "${1:-}" = -- ] && shift

[ -f "$src/configure" ] || { echo "build: no QEMU tree at $src (run 'make tree')" >&2; exit 1; }
if [ ! -f "$out/build.ninja" ]; then
    step "build: configure in $out"
    mkdir -p "$out"
    # QEMU's configure names the compiler itself, so meson does not add
    # ccache on its own: name it here.
    (cd "$out" && "$src/configure" --python=/usr/bin/python3 --cc="ccache cc" \
        --target-list=x86_64-softmmu --disable-docs --enable-slirp \
        --disable-install-blobs --disable-download --enable-werror \
        ${CONFIGURE_EXTRA:-} >"$out/configure.log" 2>&1) || {
        tail -n 30 "$out/configure.log" >&2; exit 1; }
    step_done
fi
# Cache hits across clones at other paths (CI) need relative paths and no
# working directory in the hash.
export CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=true
step "build: ninja qemu-system-x86_64 $*"
ninja -C "$out" -j"$(nproc)" qemu-system-x86_64 "$@"
step_done
mkdir -p "$bin"
ln -sfn "$out/qemu-system-x86_64" "$bin/qemu-system-x86_64"
echo "build: $bin/qemu-system-x86_64 -> $out/qemu-system-x86_64"
