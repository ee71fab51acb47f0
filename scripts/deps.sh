#!/usr/bin/env bash
# Install everything the project needs with apt. Idempotent.
# Debian 12 (bookworm) and 13 (trixie). Extra apt entries (deb-src for the
# pinned QEMU source package, bookworm-backports for meson) are derived from
# the machine's existing Debian entry: no host name lives in this repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../bases/10.0.conf"    # BASE_SUITE: the deb-src entry for it

[ "$(id -u)" = 0 ] || { echo "deps: run as root (apt-get)" >&2; exit 1; }
. /etc/os-release
codename=${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}

# The first URI of the machine's own Debian archive entry (not -security).
debian_uri() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        awk '/^URIs:/ { u=$2 } /^Suites:/ { if ($0 !~ /security/ && u != "") { print u; exit } }' "$f"
    done | head -n 1
    if [ -f /etc/apt/sources.list ]; then
        awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' \
            /etc/apt/sources.list
    fi
}
uri=$(debian_uri | head -n 1)
[ -n "$uri" ] || { echo "deps: found no Debian apt entry to derive sources from" >&2; exit 1; }

list=/etc/apt/sources.list.d/qemu-macvtap-series.sources
want=$(mktemp)
{
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$BASE_SUITE"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [ "$codename" = bookworm ]; then
        printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\n' "$uri"
        printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
} >"$want"
stamp=/var/lib/apt/lists/.qemu-macvtap-series.updated
if ! cmp -s "$want" "$list" 2>/dev/null; then
    echo "deps: writing $list (from $uri)"
    install -m 0644 "$want" "$list"
    rm -f "$stamp"
fi
rm -f "$want"

pkgs=(
    build-essential git ninja-build pkgconf flex bison bzip2 xz-utils ccache
    libglib2.0-dev libpixman-1-dev libslirp-dev libfdt-dev python3-venv
    gcc-multilib seabios ipxe-qemu busybox-static cpio iproute2 dpkg-dev kmod
    strace python3-docutils clang python3-matplotlib quilt
    qemu-system-common
)
# the build needs meson >= 1.5: on bookworm from bookworm-backports
backports=(meson python3-pycotap)
# A real libvirt for the tests/e2e/libvirt-* tests: the daemon, the QEMU
# driver and virsh. On bookworm these come from bookworm-backports (11.x),
# each named with /bookworm-backports, so that only they and the libvirt
# libraries they pin come from there; trixie has them natively. The QEMU
# driver depends on Debian's own QEMU (installed, left alone: the tests name
# their emulator).
libvirt=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)
libvirt_units=(libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket
               libvirtd-tcp.socket libvirtd-tls.socket libvirt-guests.service
               virtlogd.service virtlogd.socket virtlogd-admin.socket
               virtlockd.service virtlockd.socket virtlockd-admin.socket
               virtqemud.service virtqemud.socket virtqemud-ro.socket virtqemud-admin.socket)

# The aarch64 test guest (scripts/guest.sh arm64) takes Debian's arm64 kernel
# and busybox-static with `apt-get download`: apt needs the arm64 package
# lists. Nothing of arm64 is installed.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "deps: dpkg --add-architecture arm64 (package lists only)"
    dpkg --add-architecture arm64
    rm -f "$stamp"
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
# libFuzzer (make fuzz) is in the compiler-rt package of the installed clang
clang_rt() { echo "libclang-rt-$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1)-dev"; }
missing=()
for p in "${pkgs[@]}" "${backports[@]}" "${libvirt[@]}"; do
    installed "$p" || missing+=("$p")
done
if command -v clang >/dev/null && ! installed "$(clang_rt)"; then missing+=("$(clang_rt)"); fi
# libvirt must be >= 11 (bookworm's own is 9.0)
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' libvirt-daemon 2>/dev/null || echo 0)" lt 11; then
    missing+=(libvirt-daemon)
fi
# meson must be >= 1.5 (bookworm's own is 1.0).
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson 2>/dev/null || echo 0)" lt 1.5; then
    missing+=(meson)
fi
if [ ${#missing[@]} -eq 0 ] && [ -f "$stamp" ]; then
    echo "deps: all installed"
    exit 0
fi

echo "deps: apt-get update"
apt-get update -q
touch "$stamp"
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${pkgs[*]}"
apt-get install -y -q --no-install-recommends "${pkgs[@]}"
if [ "$codename" = bookworm ]; then
    # each named with /bookworm-backports: their dependencies come from bookworm
    apt-get install -y -q --no-install-recommends "${backports[@]/%//bookworm-backports}"
else
    apt-get install -y -q --no-install-recommends "${backports[@]}"
fi
# The installation must not start a libvirt daemon (the tests start their
# own, in private namespaces): a policy-rc.d refuses service starts meanwhile.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# ... nor enable one for the next boot: units the installation enables are
# disabled again (those that were enabled before are left as they were).
enabled_units() {
    local u
    for u in "${libvirt_units[@]}"; do
        [ "$(systemctl is-enabled "$u" 2>/dev/null)" = enabled ] && echo "$u"
    done
    return 0
}
before=$(enabled_units)
echo "deps: installing ${libvirt[*]}"
if [ "$codename" = bookworm ]; then
    apt-get install -y -q --no-install-recommends "${libvirt[@]/%//bookworm-backports}"
else
    apt-get install -y -q --no-install-recommends "${libvirt[@]}"
fi
for u in $(comm -13 <(sort <<<"$before") <(enabled_units | sort)); do
    echo "deps: systemctl disable $u (enabled by the libvirt packages; the tests start their own daemon)"
    systemctl disable -q "$u" || true
done
rt=$(clang_rt)
installed "$rt" || apt-get install -y -q --no-install-recommends "$rt"
echo "deps: done (meson $(meson --version))"
