# shellcheck shell=bash
#
# gateway-lab-routers.sh — gateway-lab's scripted routers and lab-client re-addressing. Sourced by
# lab/gateway-lab, which provides spawn, stop_recorded, pid_alive, wait_ready_file, in_ns, set_sysctl,
# stop_miniupnpd, flush_mappings, restart_daemon, load_options, take_lock and the lab constants.
#
#   gateway-lab router start SCENARIO [ARGS...]   stop miniupnpd, start lab/scripted-router.py --scenario
#                                                 SCENARIO ARGS in pmlab-gw (its log starts empty)
#   gateway-lab router stop                       stop it (its rules go, the addresses are reset) and
#                                                 start miniupnpd again with the lab's options
#   gateway-lab router trigger                    SIGUSR1: the scenario's event now (renumber, reassign...)
#   gateway-lab router log [N] | status
#   gateway-lab client-ip [ADDR]                  re-address the LAN host (default: back to 198.18.0.2)

SCRIPTED_ROUTER=$LAB_DIR/scripted-router.py
SCRIPTED_LOG=$STATE_DIR/scripted-router.log

stop_scripted() {
    stop_recorded scripted
    rm -f "$STATE_DIR/scripted.scenario"
}

# net_reset_addresses: the lab's own addresses again (client 198.18.0.2 only, router WAN 203.0.113.1 only),
# whatever a scenario changed
net_reset_addresses() {
    lab_exists || return 0
    set_client_ip "$CLIENT_IP"
    local a
    set_sysctl "$NS_GW" "net.ipv4.conf.$GW_WAN_IF.promote_secondaries" 1
    in_ns "$NS_GW" ip -4 -o addr show dev "$GW_WAN_IF" | grep " $GW_WAN_IP/" >/dev/null \
        || in_ns "$NS_GW" ip addr add "$GW_WAN_IP/$PREFIX" dev "$GW_WAN_IF"
    for a in $(in_ns "$NS_GW" ip -4 -o addr show dev "$GW_WAN_IF" | awk '{print $4}'); do
        [[ $a == "$GW_WAN_IP/$PREFIX" ]] || in_ns "$NS_GW" ip addr del "$a" dev "$GW_WAN_IF"
    done
}

# set_client_ip ADDR: the LAN host's only IPv4 address becomes ADDR (in the LAN /24); its routes stay
set_client_ip() {
    local want=$1 a
    [[ $want =~ ^198\.18\.0\.([0-9]{1,3})$ ]] && ((BASH_REMATCH[1] >= 2 && BASH_REMATCH[1] <= 254)) \
        || die "client address must be 198.18.0.2-254 (the lab LAN), not '$want'"
    # deleting the primary address must promote the new one, not take it along
    set_sysctl "$NS_CLIENT" "net.ipv4.conf.$HOST_IF.promote_secondaries" 1
    in_ns "$NS_CLIENT" ip -4 -o addr show dev "$HOST_IF" | grep " $want/" >/dev/null \
        || in_ns "$NS_CLIENT" ip addr add "$want/$PREFIX" dev "$HOST_IF"
    for a in $(in_ns "$NS_CLIENT" ip -4 -o addr show dev "$HOST_IF" | awk '{print $4}'); do
        [[ $a == "$want/$PREFIX" ]] || in_ns "$NS_CLIENT" ip addr del "$a" dev "$HOST_IF"
    done
    in_ns "$NS_CLIENT" ip route replace default via "$GW_LAN_IP" dev "$HOST_IF"
    in_ns "$NS_CLIENT" ip route replace 224.0.0.0/4 dev "$HOST_IF"
}

cmd_client_ip() {
    need_root
    take_lock
    lab_exists || die "lab is not up (run: $PROG up)"
    set_client_ip "${1:-$CLIENT_IP}"
    log "client address: $(in_ns "$NS_CLIENT" ip -4 -o addr show dev "$HOST_IF" | awk '{print $4}' | tr '\n' ' ')"
}

router_start() {
    local scenario=${1:-}
    [[ -n $scenario ]] || usage_die "router start needs a scenario (see: $PY $SCRIPTED_ROUTER --help)"
    shift
    lab_exists || die "lab is not up (run: $PROG up)"
    [[ -f $SCRIPTED_ROUTER ]] || die "$SCRIPTED_ROUTER missing"
    take_lock
    load_options
    write_helper
    stop_scripted
    stop_miniupnpd
    flush_mappings
    in_ns "$NS_GW" nft flush chain inet "$NFT_TABLE" proto_filter   # nothing hides NAT-PMP or PCP now
    net_reset_addresses
    : >"$SCRIPTED_LOG"
    echo "$scenario" >"$STATE_DIR/scripted.scenario"
    spawn scripted "$NS_GW" "$SCRIPTED_LOG" "scripted-router.py --scenario $scenario" \
        env PYTHONDONTWRITEBYTECODE=1 "$PY" "$SCRIPTED_ROUTER" --scenario "$scenario" \
        --lan-ip "$GW_LAN_IP" --wan-if "$GW_WAN_IF" --wan-ip "$GW_WAN_IP" \
        --readyfile "$STATE_DIR/scripted.ready" "$@"
    if ! wait_ready_file scripted 10; then
        tail -n 20 "$SCRIPTED_LOG" >&2
        stop_scripted
        die "scripted router '$scenario' did not start (log: $SCRIPTED_LOG); miniupnpd is stopped: run $PROG up"
    fi
    log "scripted router '$scenario' running in $NS_GW (pid $(cat "$STATE_DIR/scripted.pid"); log $SCRIPTED_LOG)"
}

router_stop() {
    take_lock
    stop_scripted
    lab_exists || return 0
    flush_mappings
    net_reset_addresses
    load_options
    KEEP_MAPPINGS=0
    restart_daemon
    log "scripted router stopped; miniupnpd back ($(options_line))"
}

cmd_router() {
    need_root
    local sub=${1:-status}
    (($#)) && shift
    case $sub in
        start) router_start "$@" ;;
        stop) router_stop ;;
        trigger)
            pid_alive scripted || die "no scripted router running"
            kill -USR1 "$(cat "$STATE_DIR/scripted.pid")"
            ;;
        log) tail -n "${1:-50}" "$SCRIPTED_LOG" ;;
        status)
            if pid_alive scripted; then
                echo "scripted router: $(cat "$STATE_DIR/scripted.scenario" 2>/dev/null) (pid $(cat "$STATE_DIR/scripted.pid"))"
            else
                echo "scripted router: not running"; return 1
            fi
            ;;
        *) usage_die "router start SCENARIO [ARGS] | stop | trigger | log [N] | status" ;;
    esac
}
