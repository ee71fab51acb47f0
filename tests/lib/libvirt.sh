# Harness for the tests that let a real libvirt drive the QEMU under test
# (sourced after common.sh). libvirt_up starts a private libvirtd (or
# virtqemud, where the distribution ships modular daemons) inside $NS_HOST and
# in a mount namespace of its own, where /etc/libvirt, /run, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt are directories under $workdir:
# the host's own libvirt configuration and state are never read or written.
# Everything it starts (domains, their QEMUs, the daemon) is ended by PID on
# exit, failure or Ctrl-C, before common.sh deletes the namespaces.
LV=$workdir/libvirt
LV_PID=
LV_DAEMON=$(command -v virtqemud || command -v libvirtd || true)
lv_sock=$LV/run/libvirt/libvirt-sock
[ -n "$LV_DAEMON" ] && [ "$(basename "$LV_DAEMON")" = virtqemud ] && lv_sock=$LV/run/libvirt/virtqemud-sock

lv_virsh() { virsh -q -c "qemu:///system?socket=$lv_sock" "$@"; }

LV_BUMP_NS=mvtq$$b
libvirt_down() {
    local f pid pids=() i
    if [ -n "$LV_PID" ]; then
        # the domains' QEMUs (libvirt's pid files), then the daemon; waited
        # for, so that nothing holds the namespaces when they are deleted
        for f in "$LV"/run/libvirt/qemu/*.pid; do
            [ -e "$f" ] || continue
            pid=$(cat "$f" 2>/dev/null) || continue
            [ -n "$pid" ] && kill "$pid" 2>/dev/null && pids+=("$pid")
        done
        kill "$LV_PID" 2>/dev/null || true
        wait "$LV_PID" 2>/dev/null || true
        LV_PID=
        for i in $(seq 1 50); do
            for pid in "${pids[@]}"; do [ -e "/proc/$pid" ] && break; pid=; done
            [ -z "${pid:-}" ] && break
            sleep 0.1
        done
    fi
    ip netns del "$LV_BUMP_NS" 2>/dev/null || true
    return 0
}
trap 'libvirt_down; cleanup' EXIT

# emulator_wrapper PATH QEMU: a script that runs QEMU with the firmware
# directory of the build tree (libvirt passes no -L)
emulator_wrapper() {
    printf '#!/bin/sh\nexec %q -L %q "$@"\n' "$(readlink -f "$2")" "$FIRMWARE" >"$1"
    chmod 0755 "$1"
}

libvirt_up() {
    [ -n "$LV_DAEMON" ] || die "neither virtqemud nor libvirtd is installed (make deps)"
    command -v virsh >/dev/null || die "virsh is not installed (make deps)"
    mkdir -p "$LV"/{etc,run,lib,log,cache}
    cat >"$LV/etc/qemu.conf" <<'EOF'
# QEMU runs as root: root may open /dev/tapN, and no account is created for the test.
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
# No cgroups: the machine's cgroup tree belongs to the host, not to a test daemon.
cgroup_controllers = [ ]
# No device namespace: QEMU must see the global devtmpfs where /dev/tapN appears.
namespaces = [ ]
# No security driver: no AppArmor or SELinux profile covers a QEMU in build/.
security_driver = "none"
# QEMU's stderr goes to a file of its own, no virtlogd daemon needed.
stdio_handler = "file"
EOF
    cat >"$LV/etc/libvirtd.conf" <<'EOF'
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:/var/log/libvirt/daemon.log"
EOF
    cp "$LV/etc/libvirtd.conf" "$LV/etc/virtqemud.conf"
    emulator_wrapper "$workdir/emulator" "$QEMU"
    # the mounts happen in the daemon's own mount namespace only
    ip netns exec "$NS_HOST" unshare --mount --propagation private \
        /bin/sh -c 'mount --bind "$1/etc" /etc/libvirt && mount --bind "$1/run" /run &&
                    mount --bind "$1/lib" /var/lib/libvirt && mount --bind "$1/log" /var/log/libvirt &&
                    mount --bind "$1/cache" /var/cache/libvirt &&
                    exec "$2" --config "/etc/libvirt/$(basename "$2").conf"' \
        sh "$LV" "$LV_DAEMON" >"$LV/daemon.out" 2>&1 &
    LV_PID=$!
    local i
    for i in $(seq 1 100); do
        [ -S "$lv_sock" ] && lv_virsh uri >/dev/null 2>&1 && break
        kill -0 "$LV_PID" 2>/dev/null || { cat "$LV/daemon.out" >&2; LV_PID=; die "$LV_DAEMON exited at start-up"; }
        sleep 0.2
    done
    lv_virsh uri >/dev/null || die "$LV_DAEMON did not open $lv_sock in 20 s"
    echo "libvirt: $(basename "$LV_DAEMON") $(lv_virsh version --daemon | sed -n 's/.*daemon: *//p' | head -n 1) (pid $LV_PID) in $NS_HOST"
}

# next_ifindex NS: the index the next new interface of NS will get (a probe
# veth tells: it takes one index, and its peer goes with a throwaway namespace)
next_ifindex() {
    local p
    ip netns add "$LV_BUMP_NS"
    ip -n "$1" link add probe0 type veth peer name probe1 netns "$LV_BUMP_NS"
    p=$(ip -n "$1" -o link show probe0 | cut -d: -f1)
    ip netns del "$LV_BUMP_NS"
    echo $((p + 1))
}

# Interface indexes in a new namespace start at 1, and libvirt creates its
# macvtaps with the next free one; /dev/tapN is global. So push $NS_HOST's
# next index up by a random amount (each veth made here takes one index of
# $NS_HOST; the peers go with a throwaway namespace), and again until no
# /dev/tapN of the next few indexes exists: libvirt's macvtaps then get
# nodes of their own. node_is_ours checks that afterwards.
bump_ifindex() {
    local n=${1:-$(shuf -i 1000-2500 -n 1)} next k free i
    while :; do
        ip netns add "$LV_BUMP_NS"
        seq 1 "$n" | sed "s/.*/link add b& type veth peer name c& netns $LV_BUMP_NS/" |
            ip -n "$NS_HOST" -batch -
        ip netns del "$LV_BUMP_NS"
        for i in $(seq 1 50); do   # the veths go with the namespace, asynchronously
            [ "$(ip -n "$NS_HOST" -o link show type veth | grep -c ' b[0-9]*@')" = 0 ] && break
            sleep 0.2
        done
        [ "$(ip -n "$NS_HOST" -o link show type veth | grep -c ' b[0-9]*@')" = 0 ] ||
            die "the $n helper veths of $NS_HOST did not go away"
        next=$(next_ifindex "$NS_HOST")
        free=1
        for k in 0 1 2 3; do [ -e "/dev/tap$((next + k))" ] && free=0; done
        [ $free = 1 ] && break
        n=$(shuf -i 100-500 -n 1)
    done
    echo "ifindex: the next interface of $NS_HOST gets $next; /dev/tap$next to /dev/tap$((next + 3)) do not exist"
}

# domain_xml NAME CMDLINE-EXTRA DEVICES-XML [QEMU-COMMANDLINE-XML]: a TCG
# domain with 2 vCPUs booting the test guest directly, console to a file.
domain_xml() {
    cat <<EOF
<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GUEST/vmlinuz</kernel>
    <initrd>$GUEST/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 guest.ip=$GUEST_IP/$PREFIX_LEN guest.peer=$PEER_IP $2</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$workdir/emulator</emulator>
    <controller type='usb' model='none'/>
    <serial type='file'><source path='$workdir/$1.console'/><target port='0'/></serial>
    <memballoon model='none'/>
$3
  </devices>
${4:+  <qemu:commandline>
$4
  </qemu:commandline>}
</domain>
EOF
}

# start_domain NAME XML: define and start it; returns at once
start_domain() {
    printf '%s\n' "$2" >"$workdir/$1.xml"
    : >"$workdir/$1.console"
    lv_virsh create "$workdir/$1.xml" >/dev/null 2>"$workdir/$1.virsh" ||
        die "$1: libvirt could not start the domain: $(grep -h -o -m1 'qemu-system[^ :]*: .*' \
            "$LV/log/qemu/$1.log" "$workdir/$1.virsh" | head -n 1)"
}

# wait_domain NAME: wait until the guest powered off (at most GUEST_TIMEOUT)
wait_domain() {
    local end=$((SECONDS + ${GUEST_TIMEOUT:-120}))
    while lv_virsh domstate "$1" 2>/dev/null | grep -q running; do
        [ $SECONDS -lt $end ] || { lv_virsh destroy "$1" >/dev/null 2>&1; break; }
        sleep 0.5
    done
}

# wait_console NAME REGEX: wait up to 90 s for the guest of domain NAME to
# print REGEX on its console
wait_console() {
    local end=$((SECONDS + 90))
    until grep -q -E "$2" "$workdir/$1.console" 2>/dev/null; do
        [ $SECONDS -lt $end ] || { tail -n 20 "$workdir/$1.console" >&2; die "$1: the guest never printed /$2/"; }
        sleep 0.2
    done
}

# console_log NAME: console plus QEMU's log, for expect_guest
console_log() {
    cat "$workdir/$1.console" "$LV/log/qemu/$1.log" >"$workdir/$1.all" 2>/dev/null || true
    echo "$workdir/$1.all"
}

# qemu_pid NAME: the PID of the domain's QEMU
qemu_pid() { cat "$LV/run/libvirt/qemu/$1.pid"; }

# qemu_netdev_args NAME: the -netdev arguments libvirt gave QEMU
qemu_netdev_args() {
    tr '\0' '\n' <"/proc/$(qemu_pid "$1")/cmdline" | grep -A1 -x -- -netdev | grep -v -x -- -netdev || true
}

# boot_domain NAME QUEUES DEVICES-XML [QEMU-COMMANDLINE-XML]: boot, expect
# QUEUES queue pairs and ping replies
boot_domain() {
    local name=$1 want=$2
    start_domain "$name" "$(domain_xml "$name" "" "$3" "${4:-}")"
    echo "$name: libvirt started QEMU with -netdev $(qemu_netdev_args "$name" | paste -sd' ')"
    wait_domain "$name"
    expect_guest "$name" "$(console_log "$name")" "$want"
}

# devnum PATH: MAJOR:MINOR of the character device PATH (or an fd's link)
devnum() { stat -L -c '%t %T' "$1" | { read -r ma mi && printf '%d:%d' "0x$ma" "0x$mi"; }; }

# lv_gone_macvtaps NAME: wait up to 5 s until libvirt has deleted the
# macvtaps it made, and fail if it has not
lv_gone_macvtaps() {
    local i
    for i in $(seq 1 20); do
        [ -z "$(lv_macvtaps)" ] && return 0
        sleep 0.25
    done
    die "$1: libvirt left its macvtap(s) behind: $(lv_macvtaps | paste -sd' ')"
}

# node_is_ours IFNAME: the /dev/tapN of this macvtap of $NS_HOST is its own
# (same major:minor as sysfs in the namespace says)
node_is_ours() {
    local idx dev node
    idx=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$1/ifindex")
    dev=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$1/macvtap/tap$idx/dev")
    node=$(devnum "/dev/tap$idx" 2>/dev/null || echo none)
    [ "$node" = "$dev" ] || die "/dev/tap$idx is $node, but $1 of $NS_HOST is $dev"
}

# lv_macvtaps: the macvtaps of $NS_HOST other than the test's own $MVT
lv_macvtaps() {
    ip -n "$NS_HOST" -o link show type macvtap | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
        grep -v -x -F "$MVT" || true
}
