# Harness for the project's end-to-end tests (sourced by bash scripts).
# Builds a throwaway topology of two network namespaces:
#   $NS_HOST: veth v0 + macvtap $MVT (mode bridge) on top of it; QEMU runs here
#   $NS_PEER: veth v1 with $PEER_IP
# and removes them, and every QEMU it started, on exit, failure or interrupt.
# Addresses come from 198.18.0.0/15 only.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
QEMU=${QEMU:-$top/build/${BASE:-master}/bin/qemu-system-x86_64}
FIRMWARE=$top/build/firmware
GUEST=$top/build/guest
PEER_IP=198.18.0.1
GUEST_IP=198.18.0.2
PREFIX_LEN=24
MVT=mvt0
NS_HOST=mvtq$$h
NS_PEER=mvtq$$p
workdir=$(mktemp -d "${TMPDIR:-/tmp}/mvtq.XXXXXX")
qemu_pids=()

cleanup() {
    local pid
    for pid in "${qemu_pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    ip netns del "$NS_HOST" 2>/dev/null || true
    ip netns del "$NS_PEER" 2>/dev/null || true
    rm -rf "$workdir"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "FAIL: $*" >&2; exit 1; }

topology_up() {
    ip netns add "$NS_HOST"
    ip netns add "$NS_PEER"
    ip -n "$NS_HOST" link add v0 type veth peer name v1 netns "$NS_PEER"
    # /dev/tapN is named after the ifindex in the host's global devtmpfs: a
    # random high one keeps clear of the host's own and of parallel runs.
    ip -n "$NS_HOST" link add link v0 name "$MVT" index "$(shuf -i 100000-999999 -n 1)" \
        type macvtap mode "${1:-bridge}"
    ip -n "$NS_HOST" link set v0 up
    ip -n "$NS_HOST" link set "$MVT" up
    ip -n "$NS_PEER" link set lo up
    ip -n "$NS_PEER" link set v1 up
    ip -n "$NS_PEER" addr add "$PEER_IP/$PREFIX_LEN" dev v1
    MVT_MAC=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$MVT/address")
    MVT_IFINDEX=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$MVT/ifindex")
    MVT_DEVNUM=$(ip netns exec "$NS_HOST" cat "/sys/class/net/$MVT/macvtap/tap$MVT_IFINDEX/dev")
}

# The same, but with a bridge br0 on v0 instead of a macvtap: for taps that
# QEMU creates and a script attaches to br0.
topology_bridge_up() {
    ip netns add "$NS_HOST"
    ip netns add "$NS_PEER"
    ip -n "$NS_HOST" link add v0 type veth peer name v1 netns "$NS_PEER"
    ip -n "$NS_HOST" link add br0 type bridge
    ip -n "$NS_HOST" link set v0 master br0
    ip -n "$NS_HOST" link set v0 up
    ip -n "$NS_HOST" link set br0 up
    ip -n "$NS_PEER" link set lo up
    ip -n "$NS_PEER" link set v1 up
    ip -n "$NS_PEER" addr add "$PEER_IP/$PREFIX_LEN" dev v1
}

# KVM where it really runs guests, TCG otherwise; probed once, cached.
accel() {
    local cache=$top/build/accel
    if [ -n "${ACCEL:-}" ]; then echo "$ACCEL"; return; fi
    if [ ! -s "$cache" ]; then
        local a=tcg
        if [ -w /dev/kvm ] && timeout 20 "$QEMU" -L "$FIRMWARE" -accel kvm -M pc \
                -m 256 -nodefaults -display none -no-reboot -serial stdio \
                -kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.gz" \
                -append "console=ttyS0 quiet panic=-1 guest.wait=0" 2>/dev/null |
                grep -q 'GUEST-RESULT boot'; then
            a=kvm
        fi
        echo "$a" >"$cache"
    fi
    cat "$cache"
}

# guest_cmdline NIC_ARGS...: the QEMU command line (one word per line is not
# needed: printed as an array into QEMU_CMD) booting the test guest.
guest_cmd() {
    QEMU_CMD=("$QEMU" -L "$FIRMWARE" -accel "$(accel)" -M pc -smp 2 -m 256
        -nodefaults -display none -no-reboot -serial stdio
        -kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.gz"
        -append "console=ttyS0 quiet panic=-1 guest.ip=$GUEST_IP/$PREFIX_LEN guest.peer=$PEER_IP"
        "$@")
}

# show_cmd WORD...: a command line as a person would type it, one option a line.
show_cmd() {
    local w out=""
    for w in "$@"; do
        [[ $w =~ ^[A-Za-z0-9_,=:/.@+%-]*$ ]] || w="'${w//\'/\'\\\'\'}'"
        case "$w" in -*) out+=" \\"$'\n'"    $w" ;; *) out+=" $w" ;; esac
    done
    echo "${out# }"
}

# run_guest LOG: run QEMU_CMD inside $NS_HOST until the guest powers off
# (at most ${GUEST_TIMEOUT:-120} s); console and stderr go to LOG, and are
# shown as they come when SHOW_CONSOLE=1.
run_guest() {
    local log=$1 rc=0 pid
    : >"$log"
    timeout "${GUEST_TIMEOUT:-120}" ip netns exec "$NS_HOST" "${QEMU_CMD[@]}" >"$log" 2>&1 &
    pid=$!
    qemu_pids+=("$pid")
    if [ "${SHOW_CONSOLE:-0}" = 1 ]; then
        tail -n +1 -F --pid="$pid" "$log" 2>/dev/null | sed -u 's/^/    | /'
    fi
    wait "$pid" || rc=$?
    return $rc
}

# result LOG KEY FIELD: the value of FIELD in the guest's "GUEST-RESULT KEY" line.
result() {
    sed -n "s/^GUEST-RESULT $2 .*\b$3=\([^ ]*\).*/\1/p" "$1" | tr -d '\r' | tail -n 1
}

# expect_guest NAME LOG QUEUES: the guest of LOG finished ok with QUEUES
# queue pairs on eth0 and got ping replies from the peer namespace.
expect_guest() {
    local name=$1 log=$2 want=$3 status rxq rcvd
    status=$(result "$log" done status)
    rxq=$(result "$log" eth0 rx_queues)
    rcvd=$(result "$log" ping received)
    if [ "$status" = ok ] && [ "$rxq" = "$want" ] && [ "${rcvd:-0}" -gt 0 ]; then
        echo "ok: $name: $rxq queue pair(s), $rcvd ping replies"
        return 0
    fi
    echo "--- $name: QEMU and guest console, last lines:" >&2
    tail -n 20 "$log" >&2
    local qemu_said
    qemu_said=$(grep -m1 '^qemu-system' "$log" | sed 's/^qemu-system-[^:]*: //; s/^-netdev [^ ]*: //' || true)
    die "$name: expected $want queue pair(s) and ping replies; got status=${status:-none} queues=${rxq:-none} replies=${rcvd:-0}${qemu_said:+; QEMU: $qemu_said}"
}

# boot NAME QUEUES QEMU-ARGS...: boot the test guest with these extra QEMU
# arguments (the NIC), expect QUEUES queue pairs and ping replies.
boot() {
    local name=$1 want=$2 log
    shift 2
    log=$workdir/$name.log
    guest_cmd "$@"
    run_guest "$log" || true
    expect_guest "$name" "$log" "$want"
}

# irq_count LOG QUEUE: interrupts the guest counted for virtqueue QUEUE
# (e.g. input.1)
irq_count() {
    sed -n "s/^GUEST-RESULT irq queue=virtio[0-9]*-$2 count=\([0-9]*\).*/\1/p" "$1" | tr -d '\r' | tail -n 1
}
