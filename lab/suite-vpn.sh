# shellcheck shell=bash
#
# suite-vpn.sh — the "vpn" interop suite (issue #13): a ProtonVPN-style NAT-PMP gateway of our own
# (lab/scripted-router.py --scenario vpn): it ignores the suggested port and grants a random one (one per
# client, for TCP and UDP), forwards public port P to client:P, caps the lifetime, answers with internal
# port 0, takes the port away after a while (here: on a trigger), speaks no UPnP and answers PCP with a
# NAT-PMP "unsupported version". Sourced by lab/suite-realnet.sh (helpers there).
#
# Timing: the gateway caps leases at VPN_LIFETIME s (ProtonVPN: 60; default here 30 so that a CI run sees
# several renewals in VPN_KEEP_SECONDS); the reassignment is triggered after those renewals.
VPN_LIFETIME=${INTEROP_VPN_LIFETIME:-30}
VPN_KEEP_SECONDS=${INTEROP_VPN_KEEP_SECONDS:-65}
VPN_PORTS=42000-42999

suite_vpn() {
    RN_DIR=$(mktemp -d)
    : >"$RN_DIR/notes"
    vpn_reference
    vpn_openport
    rn_cleanup
    step "scripted router stopped, miniupnpd back with the lab's defaults" router stop
    load_env
}

# vpn_granted: the port natpmpc's last "Mapped public port P ..." line names
vpn_natpmpc_port() { sed -n 's/^Mapped public port \([0-9]*\) protocol .*/\1/p' | tail -n 1; }

vpn_reference() {
    step "vpn: scripted gateway up (random port in $VPN_PORTS, lifetime cap $VPN_LIFETIME s, internal port 0)" \
        router start vpn --max-lifetime "$VPN_LIFETIME" --reassign-every 0 --port-range "$VPN_PORTS" || return 0
    step "vpn, natpmpc -a 1 0 udp 60 (ProtonVPN's command): granted port = the gateway's, internal port 0" \
        vpn_natpmpc_agrees udp 60
    step "vpn, natpmpc again: the same port (a renewal keeps it)" vpn_natpmpc_same udp
    step "vpn, natpmpc -a 1 0 tcp 60: the same port for TCP" vpn_natpmpc_same tcp
    step "vpn, natpmpc asking 3600 s gets the cap, $VPN_LIFETIME s" \
        expect_output "liftime $VPN_LIFETIME\$" natpmpc -a 1 0 udp 3600
    step "vpn, the WAN host reaches the client on the granted port (UDP, P -> client:P)" \
        vpn_reach udp
    step "vpn, PCP is answered with NAT-PMP 'unsupported version'" \
        expect_output "got a NAT-PMP \(version 0\) answer: result=1" expect_status 3 lab pcp udp 5000 --lifetime 60
    step "vpn, no UPnP (nothing on http://$PMLAB_GW_LAN_IP:2869)" \
        expect_status 1 lab exec python3 "$HELPER" upnp-probe "$PMLAB_GW_LAN_IP" 2869 --timeout 1
    step "vpn: trigger (the gateway reassigns the port)" router trigger
    step "vpn, natpmpc -a 1 0 udp 60 after the reassignment: another port, and it forwards" vpn_natpmpc_moved
    step "vpn, natpmpc -a 1 0 udp 0 / tcp 0 (delete): no DNAT rule left" vpn_natpmpc_delete
}

vpn_port_file() { echo "$RN_DIR/vpn.port"; }

vpn_natpmpc_agrees() { # PROTO LIFETIME
    local out port logged
    out=$(natpmpc -a 1 0 "$1" "$2") || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "$out" | grep -E "Mapped public port|Public IP"
    port=$(vpn_natpmpc_port <<<"$out")
    logged=$(router_log | sed -n 's/.* op=map .* granted=\([0-9]*\) .*/\1/p' | tail -n 1)
    echo "natpmpc: $port; the gateway's log: $logged"
    [[ -n $port && $port == "$logged" ]] || return 1
    grep -q "to local port 0 " <<<"$out" || { echo "expected internal port 0 in the answer"; return 1; }
    echo "$port" >"$(vpn_port_file)"
}

vpn_natpmpc_same() { # PROTO
    local port want
    want=$(cat "$(vpn_port_file)")
    port=$(natpmpc -a 1 0 "$1" 60 | vpn_natpmpc_port)
    echo "granted $port (before: $want)"
    [[ -n $port && $port == "$want" ]]
}

vpn_reach() { # PROTO
    local port
    port=$(cat "$(vpn_port_file)")
    has_dnat "$1" "$port" && reach "$1" "$port" "$port"
}

vpn_natpmpc_moved() {
    local old port
    old=$(cat "$(vpn_port_file)")
    port=$(natpmpc -a 1 0 udp 60 | vpn_natpmpc_port)
    echo "before: $old, now: $port"
    [[ -n $port && $port != "$old" ]] || return 1
    echo "$port" >"$(vpn_port_file)"
    no_dnat udp "$old" && vpn_reach udp
}

vpn_natpmpc_delete() {
    local port
    port=$(cat "$(vpn_port_file)")
    natpmpc -a 1 0 udp 0 | grep -E "Mapped|returned" || return 1
    natpmpc -a 1 0 tcp 0 | grep -E "Mapped|returned" || return 1
    no_dnat udp "$port" && no_dnat tcp "$port"
}

# openport against the same gateway: map any/udp --keep with a hook; renewals, reassignment, SIGTERM.
vpn_openport() {
    local hook t0
    step "vpn: scripted gateway restarted (fresh log)" \
        router start vpn --max-lifetime "$VPN_LIFETIME" --reassign-every 0 --port-range "$VPN_PORTS" || return 0
    hook="echo \"\$OPENPORT_EVENT \$OPENPORT_EXTERNAL_PORT \$OPENPORT_INTERNAL_PORT \$OPENPORT_TRANSPORT \$OPENPORT_PROTOCOL \$OPENPORT_EXTERNAL_IP\" >>$RN_DIR/hook.log"
    step "vpn: openport map any/udp --keep --protocol natpmp --gateway $PMLAB_GW_LAN_IP --on-change ..." \
        keep_start vpn map any/udp --keep --protocol natpmp --gateway "$PMLAB_GW_LAN_IP" --on-change "$hook" || return 0
    step "vpn: the hook got 'mapped P' with the gateway's port" vpn_hook_event mapped 1
    step "vpn: the WAN host reaches the service on P" vpn_reach udp
    step "vpn: renewals keep P for $VPN_KEEP_SECONDS s (lease cap $VPN_LIFETIME s), never lapsing" vpn_renewals
    rn_notes
    t0=$(now)
    step "vpn: trigger (the gateway takes P away)" router trigger
    step "vpn: the hook got 'changed P2' within $VPN_LIFETIME s" vpn_hook_event changed 1 "$VPN_LIFETIME"
    echo "vpn: the new port reached the hook $(elapsed "$t0" "$(now)") s after the reassignment" >>"$RN_DIR/notes"
    rn_notes
    step "vpn: the WAN host reaches the service on P2" vpn_reach udp
    step "vpn: SIGTERM deletes the mapping (the gateway logged the delete, no DNAT rule left)" vpn_sigterm
}

# vpn_hook_event EVENT NTH [SECONDS]: the hook log's NTH EVENT line (within SECONDS, default 10) names the
# port the gateway granted last, for udp over NAT-PMP
vpn_hook_event() {
    local line port granted
    wait_for "${3:-10}" vpn_hook_count_ge "$1" "$2" \
        || { echo "no '$1' hook call:"; cat "$RN_DIR/hook.log" "$RN_DIR/vpn.log" 2>/dev/null; return 1; }
    line=$(grep "^$1 " "$RN_DIR/hook.log" | sed -n "${2}p")
    echo "hook: $line"
    read -r _ port _ <<<"$line"
    granted=$(router_log | sed -n 's/.* op=map .* granted=\([0-9]*\) .*/\1/p' | tail -n 1)
    echo "gateway granted: $granted"
    [[ $port == "$granted" ]] || return 1
    [[ $line == "$1 $port $port udp "* ]] || { echo "expected '$1 $port $port udp ...'"; return 1; }
    echo "$port" >"$(vpn_port_file)"
}

vpn_hook_count_ge() { # EVENT N: the hook ran at least N times for EVENT
    local n
    n=$(grep -c "^$1 " "$RN_DIR/hook.log" 2>/dev/null)
    ((${n:-0} >= $2))
}

vpn_renewals() {
    local port n lapses
    port=$(cat "$(vpn_port_file)")
    sleep "$VPN_KEEP_SECONDS"
    n=$(router_log | grep -c "^[0-9.]* renew mapping=udp/$port->")
    lapses=$(router_log | grep -c "reason=expired")
    router_log | grep -E "renew mapping=udp/$port->" | sed 's/^/  /'
    rn_note "vpn: $n renewals of udp/$port in $VPN_KEEP_SECONDS s (lease $VPN_LIFETIME s), $lapses lapsed;" \
        "least lease left at a renewal: $(router_log | sed -n "s/.* renew mapping=udp\/$port->.* remaining_before=\([0-9]*\) .*/\1/p" | sort -n | head -n 1) s"
    ((n >= 2 && lapses == 0)) || return 1
    grep -c "^mapped " "$RN_DIR/hook.log" | grep -x 1 >/dev/null || { echo "the hook ran again without a change"; return 1; }
    vpn_reach udp
}

vpn_sigterm() {
    local port
    port=$(cat "$(vpn_port_file)")
    keep_stop vpn | tail -n 5
    wait_for 5 router_has "remove mapping=udp/$port->.* reason=natpmp delete" || { router_log | tail; return 1; }
    no_dnat udp "$port"
}
