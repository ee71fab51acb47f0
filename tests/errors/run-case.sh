# Sourced by the error tests: run_case SETUP OPTIONS runs QEMU with
# -netdev tap,id=n0,OPTIONS in $NS_HOST as the case's setup requires and
# sets CASE_OUT (stderr+stdout) and CASE_RC. Needs tests/lib/common.sh
# and topology_up. Fds 3 and 4 are queue fds of the macvtap.
expand() {
    local s=$1
    s=${s//@MVT@/$MVT}
    s=${s//@NODE@//dev/tap$MVT_IFINDEX}
    s=${s//@DEVNUM@/$MVT_DEVNUM}
    s=${s//@FILE@/$workdir/regular-file}
    s=${s//@DIR@/$workdir}
    s=${s//@LOOP@/$workdir/loop}
    s=${s//@ORPHAN@/$workdir/orphan}
    printf '%s' "$s"
}

run_case() {
    local setup=$1 opts node=/dev/tap$MVT_IFINDEX
    opts=$(expand "$2")
    : >"$workdir/regular-file"
    [ -L "$workdir/loop" ] || ln -s loop "$workdir/loop"
    # a node for a queue device number that no interface has
    [ -e "$workdir/orphan" ] || mknod "$workdir/orphan" c "${MVT_DEVNUM%:*}" 999999
    local cmd=("$QEMU" -L "$FIRMWARE" -M none -nodefaults -display none
               -netdev "tap,id=n0,$opts")
    case "$setup" in
        no-node|nsenter-no-node) mv "$node" "$node.moved" ;;
        wrong-node|nsenter-wrong-node) mv "$node" "$node.moved"; mknod "$node" c 1 3 ;;
        bridge) ip -n "$NS_HOST" link add br-bad type bridge ;;
    esac
    CASE_RC=0
    case "$setup" in
        nobody)
            CASE_OUT=$(timeout 5 ip netns exec "$NS_HOST" setpriv --reuid nobody \
                --regid nogroup --clear-groups "${cmd[@]}" 2>&1 </dev/null) || CASE_RC=$? ;;
        nsenter|nsenter-*)
            CASE_OUT=$(timeout 5 nsenter --net="/run/netns/$NS_HOST" "${cmd[@]}" \
                2>&1 </dev/null) || CASE_RC=$? ;;
        *)
            if [[ $opts == *fd* ]]; then
                CASE_OUT=$(timeout 5 ip netns exec "$NS_HOST" "${cmd[@]}" \
                    2>&1 </dev/null 3<>"$node" 4<>"$node") || CASE_RC=$?
            else
                CASE_OUT=$(timeout 5 ip netns exec "$NS_HOST" "${cmd[@]}" \
                    2>&1 </dev/null) || CASE_RC=$?
            fi ;;
    esac
    case "$setup" in
        no-node|nsenter-no-node) mv "$node.moved" "$node" ;;
        wrong-node|nsenter-wrong-node) rm -f "$node"; mv "$node.moved" "$node" ;;
        bridge) ip -n "$NS_HOST" link del br-bad ;;
    esac
    return 0
}

# Each case line of tests/errors/cases.tsv: NAME SETUP OPTIONS EXPECTED
cases() { grep -v '^#' "$top/tests/errors/cases.tsv" | grep -v '^$'; }
