# shellcheck shell=bash
#
# suite-realnet-scenarios.sh — the scenarios of the "realnet" interop suite (issue #12), sourced by
# lab/suite-realnet.sh (which has the helpers and the order they run in). Ports: PORT_RN + 0..59.

# half-open (tailscale #1525, inetaf/nat #4, Mono.Nat #14): PCP and NAT-PMP answer the probe and refuse
# every MAP; UPnP on the same router works. openport without --protocol must end up on UPnP.
realnet_half_open() {
    local p=$((PORT_RN + 0)) r=$((PORT_RN + 8))
    step "half-open: scripted router up" router start half-open || return 0
    step "half-open, natpmpc: the external-address request is answered ($PMLAB_EXTERNAL_IP)" \
        expect_output "^Public IP address : $(re "$PMLAB_EXTERNAL_IP")\$" natpmpc
    step "half-open, natpmpc -a $r $r tcp 60: refused (result 2, not authorized)" \
        expect_output "$NATPMPC_REFUSED" expect_status 1 natpmpc -a "$r" "$r" tcp 60
    step "half-open, PCP ANNOUNCE answered with SUCCESS" \
        expect_output "^PCP ANNOUNCE result=0 SUCCESS" lab exec python3 "$HELPER" pcp-announce "$PMLAB_GW_LAN_IP" "$PMLAB_CLIENT_IP"
    step "half-open, PCP MAP tcp $r refused with NOT_AUTHORIZED" \
        expect_output "^PCP MAP result=2 NOT_AUTHORIZED" expect_status 2 lab pcp tcp "$r" --lifetime 60
    step "half-open, upnpc -a $r TCP: UPnP maps" \
        expect_output "is redirected to internal $(re "$PMLAB_CLIENT_IP"):$r" upnpc -a "$PMLAB_CLIENT_IP" "$r" "$r" TCP 600
    step "half-open, the WAN host reaches upnpc's mapping" reach tcp "$r" "$r"
    step "half-open, upnpc -d $r TCP removes it" expect_output "returned : 0" upnpc -d "$r" TCP
    step "half-open, no DNAT rule left for $r/tcp" no_dnat tcp "$r"
    step "half-open: openport map $p/tcp (no --protocol) maps over UPnP" \
        expect_output "^mapped $(re "$PMLAB_EXTERNAL_IP"):$p/tcp -> $(re "$PMLAB_CLIENT_IP"):$p via UPnP " \
        openport map "$p/tcp"
    step "half-open: the WAN host reaches it" reach tcp "$p" "$p"
    step "half-open: openport unmap $p/tcp" openport unmap "$p/tcp"
    step "half-open: no DNAT rule left for $p/tcp" no_dnat tcp "$p"
}

# fails_with REGEX CMD...: CMD fails and its output has a line matching REGEX
fails_with() {
    local re=$1 out; shift
    if out=$("$@" 2>&1); then printf '%s\n(succeeded; expected a failure)\n' "$out"; return 1; fi
    printf '%s\n' "$out"
    grep -qE -- "$re" <<<"$out" || { echo "(no line matches: $re)"; return 1; }
}

# expect_status N CMD...: CMD exits with status N (its output shown)
expect_status() {
    local want=$1 rc; shift
    "$@"
    rc=$?
    ((rc == want)) || { echo "(exit status $rc, expected $want)"; return 1; }
}

# dropper (tailscale #18196 DD-WRT, #10597 Asus purge): the router forgets a mapping 3 s after it was added.
realnet_dropper() {
    local p=$((PORT_RN + 10)) r=$((PORT_RN + 18)) t0
    step "dropper: scripted router up (forgets each mapping once, 3 s after it was added)" \
        router start dropper --forget-after 3 --forget-times 1 || return 0
    step "dropper, upnpc -a $r TCP: mapped" \
        expect_output "is redirected to internal $(re "$PMLAB_CLIENT_IP"):$r" upnpc -a "$PMLAB_CLIENT_IP" "$r" "$r" TCP 3600
    step "dropper, the router forgets it within 5 s (rule and entry gone, upnpc -l lists nothing)" \
        rn_dropped tcp "$r" "silently forgotten"
    step "dropper: openport map $p/tcp --keep --protocol upnp" keep_start dropper map "$p/tcp" --keep --protocol upnp || return 0
    step "dropper: the router forgot it" wait_for 10 router_has "remove mapping=tcp/$p->.* reason=silently"
    t0=$(router_event_time "remove mapping=tcp/$p->.* reason=silently")
    step "dropper: --keep re-adds it within 60 s (default verification cadence)" \
        poll_repair "dropper (router forgot the mapping -> DNAT rule back; default 30 s verification)" 65 "$t0" has_dnat tcp "$p"
    rn_notes
    step "dropper: the repair came within 60 s of the loss" rn_within 60 "$t0" "add mapping=tcp/$p->" 2
    step "dropper: the WAN host reaches the re-added mapping" reach tcp "$p" "$p"
    step "dropper: SIGTERM removes it" keep_stop_clean dropper tcp "$p"
}

# rn_dropped PROTO PORT REASON: within 5 s the router logs the removal, has no rule, upnpc -l lists nothing
rn_dropped() {
    wait_for 5 router_has "remove mapping=$1/$2->.* reason=$3" || { router_log; return 1; }
    no_dnat "$1" "$2" || return 1
    if upnpc -l | grep -E " ${1^^} +$2->"; then echo "upnpc -l still lists $1/$2"; return 1; fi
    echo "router: $(router_log | grep -E "remove mapping=$1/$2->" | tail -n 1)"
}

# rn_within SECONDS SINCE REGEX NTH: the NTH router log line matching REGEX came at most SECONDS after SINCE
rn_within() {
    local t
    t=$(router_event_time "$3" "$4")
    [[ -n $t ]] || { echo "no router event #$4 matching $3"; router_log | tail -n 20; return 1; }
    echo "router event #$4 '$3' $(elapsed "$2" "$t") s after the loss"
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) <= float(sys.argv[3]) else 1)' "$2" "$t" "$1"
}

# lease0-only (DD-WRT; tailscale #18196): finite leases vanish 3 s after the add, lease 0 stays.
realnet_lease0() {
    local p=$((PORT_RN + 20)) r=$((PORT_RN + 28)) r0=$((PORT_RN + 29)) t0
    step "lease0-only: scripted router up (drops every finite lease 3 s after the add)" \
        router start lease0-only --forget-after 3 || return 0
    step "lease0-only, upnpc -a $r TCP lease 3600: mapped" \
        expect_output "is redirected to internal $(re "$PMLAB_CLIENT_IP"):$r" upnpc -a "$PMLAB_CLIENT_IP" "$r" "$r" TCP 3600
    step "lease0-only, the finite lease is dropped within 5 s" rn_dropped tcp "$r" "finite"
    step "lease0-only, upnpc -a $r0 TCP lease 0: mapped" \
        expect_output "is redirected to internal $(re "$PMLAB_CLIENT_IP"):$r0" upnpc -a "$PMLAB_CLIENT_IP" "$r0" "$r0" TCP 0
    step "lease0-only, the lease-0 mapping is still there 5 s later and forwards" rn_kept tcp "$r0"
    step "lease0-only, upnpc -d $r0 TCP" expect_output "returned : 0" upnpc -d "$r0" TCP
    step "lease0-only: openport map $p/tcp --keep --protocol upnp --verify-interval 5s" \
        keep_start lease0 map "$p/tcp" --keep --protocol upnp --verify-interval 5s || return 0
    t0=$(router_event_time "add mapping=tcp/$p->")
    step "lease0-only: --keep settles on a lease-0 entry within 60 s" \
        poll_repair "lease0-only (first Add -> lease-0 entry; finite leases dropped 3 s after each Add; --verify-interval 5s)" 60 "$t0" \
        router_has "add mapping=tcp/$p->.* lease=0 "
    rn_notes
    step "lease0-only: it stays (5 s later) and the WAN host reaches it" rn_kept tcp "$p"
    step "lease0-only: --keep said once that it switched to permanent leases" rn_said_permanent lease0
    step "lease0-only: SIGTERM deletes the lease-0 mapping" keep_stop_clean lease0 tcp "$p"
    step "lease0-only: the router logged the delete" router_has "remove mapping=tcp/$p->.* reason=deleted by"
}

rn_said_permanent() { # NAME: its --keep log says so, once (the line may trail the router's add by a tick)
    local log=$RN_DIR/$1.log n
    wait_for 5 grep -q "switched to permanent leases" "$log"
    n=$(grep -c "switched to permanent leases" "$log")
    grep "switched to permanent leases" "$log"
    ((n == 1)) || { echo "said $n times:"; cat "$log"; return 1; }
}

rn_kept() { # PROTO PORT: after 5 s the rule is still there and the WAN host reaches the client
    sleep 5
    has_dnat "$1" "$2" && reach "$1" "$2" "$2"
}

# renumbering (PPPoE reconnect; lbry-sdk #1885, js-libp2p #2797): the WAN goes down for 5 s (external address
# 0.0.0.0, NAT-PMP result 3), the table is flushed, and it comes back as 203.0.113.5.
RN_NEW_WAN_IP=203.0.113.5
realnet_renumber() {
    local p=$((PORT_RN + 30)) r=$((PORT_RN + 38)) t0
    step "renumber: scripted router up (WAN down 5 s on a trigger, back as $RN_NEW_WAN_IP)" \
        router start renumber --down-seconds 5 --new-wan-ip "$RN_NEW_WAN_IP" || return 0
    step "renumber, upnpc -s and natpmpc: external address $PMLAB_GW_WAN_IP" rn_external_is "$PMLAB_GW_WAN_IP" 0
    step "renumber, upnpc -a $r TCP; the WAN host reaches $PMLAB_GW_WAN_IP:$r" rn_upnpc_map_reach "$PMLAB_GW_WAN_IP" "$r"
    step "renumber: trigger (WAN down)" router trigger
    step "renumber, while down: upnpc -s says 0.0.0.0, natpmpc gets result 3 (network failure)" \
        rn_external_is 0.0.0.0 3
    step "renumber: the WAN is back as $RN_NEW_WAN_IP within 8 s, table flushed" \
        wait_for 8 router_has "wan-up external=$RN_NEW_WAN_IP"
    step "renumber, upnpc -s and natpmpc: external address $RN_NEW_WAN_IP" rn_external_is "$RN_NEW_WAN_IP" 0
    step "renumber, upnpc's old mapping is gone; re-added, the WAN host reaches $RN_NEW_WAN_IP:$r" \
        rn_upnpc_map_reach "$RN_NEW_WAN_IP" "$r"
    step "renumber, the old address $PMLAB_GW_WAN_IP no longer answers" rn_unreachable_at "$PMLAB_GW_WAN_IP" "$r"
    upnpc -d "$r" TCP >/dev/null 2>&1
    step "renumber: router back on $PMLAB_GW_WAN_IP" router start renumber --down-seconds 5 --new-wan-ip "$RN_NEW_WAN_IP"
    step "renumber: openport map $p/tcp --keep --protocol upnp --verify-interval 5s" \
        keep_start renumber map "$p/tcp" --keep --protocol upnp --verify-interval 5s || return 0
    step "renumber: the WAN host reaches $PMLAB_GW_WAN_IP:$p" reach tcp "$p" "$p"
    step "renumber: trigger (WAN down 5 s)" router trigger
    step "renumber: WAN back as $RN_NEW_WAN_IP" wait_for 8 router_has "wan-up external=$RN_NEW_WAN_IP"
    t0=$(router_event_time "wan-up external=")
    step "renumber: the WAN host reaches $RN_NEW_WAN_IP:$p (re-added after the flush)" \
        poll_repair "renumber (WAN back as the new address after 5 s down -> WAN host reaches it there; --verify-interval 5s)" 60 "$t0" \
        reach_at "$RN_NEW_WAN_IP" tcp "$p" "$p" 2
    rn_notes
    step "renumber: --keep shows the new address $RN_NEW_WAN_IP" \
        wait_for 10 grep -qF "$RN_NEW_WAN_IP:$p" "$RN_DIR/renumber.log"
    step "renumber: --keep never printed 0.0.0.0" rn_never_printed 0.0.0.0 renumber
    step "renumber: SIGTERM removes the mapping" keep_stop_clean renumber tcp "$p"
}

rn_never_printed() { # TEXT NAME
    if grep -F "$1" "$RN_DIR/$2.log"; then echo "(printed $1)"; return 1; fi
    echo "no '$1' in $(wc -l <"$RN_DIR/$2.log") lines of output"
}

rn_external_is() { # ADDRESS NATPMP_RESULT: what upnpc -s and natpmpc say
    local u n
    u=$(upnpc -s 2>&1 | sed -n 's/^ExternalIPAddress = //p')
    n=$(natpmpc 2>&1)
    echo "upnpc -s: ExternalIPAddress = ${u:-(none)}"
    printf 'natpmpc: %s\n' "$(grep -E 'Public IP|returned|error|failed' <<<"$n" | head -n 3)"
    [[ $u == "$1" ]] || return 1
    if (($2 == 0)); then
        grep -qx "Public IP address : $1" <<<"$n"
    else
        grep -qE "$NATPMPC_NETWORK_FAILURE" <<<"$n"
    fi
}

rn_upnpc_map_reach() { # ADDRESS PORT
    upnpc -a "$PMLAB_CLIENT_IP" "$2" "$2" TCP 600 | grep -E "redirected|failed" || return 1
    reach_at "$1" tcp "$2" "$2"
}

rn_unreachable_at() { # ADDRESS PORT
    if reach_at "$1" tcp "$2" "$2" 2; then echo "still reached at $1:$2"; return 1; fi
    echo "not reached at $1:$2 (as expected)"
}

# LAN address change (DHCP; BitcoinUnlimited #267, TinyUPnP #24): the client moves from 198.18.0.2 to
# 198.18.0.3 while a --keep mapping runs; the router is permissive (maps for any LAN client, deletes for
# anyone) and answers 718 to a mapping of a port another client holds.
RN_NEW_CLIENT_IP=198.18.0.3
realnet_lan_change() {
    local p=$((PORT_RN + 40)) r=$((PORT_RN + 48)) t0
    step "lan-change: scripted router up (permissive IGD)" router start lan-change || return 0
    step "lan-change, upnpc -a $r TCP for $PMLAB_CLIENT_IP" \
        expect_output "is redirected to internal $(re "$PMLAB_CLIENT_IP"):$r" upnpc -a "$PMLAB_CLIENT_IP" "$r" "$r" TCP 600
    step "lan-change: client re-addressed to $RN_NEW_CLIENT_IP" lab client-ip "$RN_NEW_CLIENT_IP"
    step "lan-change, the old mapping forwards to $PMLAB_CLIENT_IP, which is gone: the WAN host is not answered" \
        rn_unreachable_at "$PMLAB_GW_WAN_IP" "$r"
    step "lan-change, upnpc -a $r TCP for $RN_NEW_CLIENT_IP: 718 (the port is another client's)" \
        fails_with "failed with code 718" upnpc -a "$RN_NEW_CLIENT_IP" "$r" "$r" TCP 600
    step "lan-change, upnpc -d $r then -a for $RN_NEW_CLIENT_IP: the WAN host reaches the new address" \
        rn_delete_add_reach "$r"
    upnpc -d "$r" TCP >/dev/null 2>&1
    step "lan-change: client back to $PMLAB_CLIENT_IP" lab client-ip "$PMLAB_CLIENT_IP"
    step "lan-change: openport map $p/tcp --keep --protocol upnp --verify-interval 5s" \
        keep_start lanchange map "$p/tcp" --keep --protocol upnp --verify-interval 5s || return 0
    step "lan-change: the WAN host reaches it" reach tcp "$p" "$p"
    t0=$(now)
    step "lan-change: client re-addressed to $RN_NEW_CLIENT_IP" lab client-ip "$RN_NEW_CLIENT_IP"
    step "lan-change: the router forwards $p/tcp to $RN_NEW_CLIENT_IP and the WAN host reaches it" \
        poll_repair "lan-change (client re-addressed -> forwarding to the new address; --verify-interval 5s)" 60 "$t0" rn_reach_client tcp "$p" "$RN_NEW_CLIENT_IP"
    rn_notes
    step "lan-change: SIGTERM removes the mapping" keep_stop_clean lanchange tcp "$p"
    step "lan-change: client back to $PMLAB_CLIENT_IP" lab client-ip "$PMLAB_CLIENT_IP"
}

rn_delete_add_reach() { # PORT
    upnpc -d "$1" TCP | grep "returned" || return 1
    upnpc -a "$RN_NEW_CLIENT_IP" "$1" "$1" TCP 600 | grep -E "redirected|failed" || return 1
    dnat_to tcp "$1" "$RN_NEW_CLIENT_IP" && reach tcp "$1" "$1"
}

rn_reach_client() { dnat_to "$1" "$2" "$3" && reach "$1" "$2" "$2" 2; }

# zombie (tailscale #21208): 3 s after the add the rule vanishes but the entry stays listed; a re-add only
# updates the lease; only Delete + Add installs the rule again.
realnet_zombie() {
    local p=$((PORT_RN + 50)) r=$((PORT_RN + 58)) t0
    step "zombie: scripted router up (rule gone 3 s after the add, entry kept)" \
        router start zombie --forget-after 3 --forget-times 1 || return 0
    step "zombie, upnpc -a $r TCP; the WAN host reaches it" rn_upnpc_map_reach "$PMLAB_GW_WAN_IP" "$r"
    step "zombie, 3 s later the rule is gone" wait_for 6 router_has "rule-dropped mapping=tcp/$r->"
    step "zombie, upnpc -l still lists it, the WAN host is not answered" rn_listed_dead "$r"
    step "zombie, a re-add (upnpc -a) succeeds but forwards nothing" rn_readd_dead "$r"
    step "zombie, upnpc -d + upnpc -a: the WAN host reaches it again" rn_upnpc_delete_add_reach "$r"
    upnpc -d "$r" TCP >/dev/null 2>&1
    DIAG_LOG=$RN_DIR/diag # (set here: each step runs in a subshell)
    mkdir -p "$DIAG_LOG"
    step "zombie: the echo service on the WAN host ($PMLAB_WAN_HOST_IP:$DIAG_ECHO_PORT)" rn_echo_start \
        || { diag_stop >/dev/null; return 0; }
    step "zombie: openport map $p/tcp --keep --protocol upnp --echo $PMLAB_WAN_HOST_IP:$DIAG_ECHO_PORT --echo-interval 5s" \
        keep_start zombie map "$p/tcp" --keep --protocol upnp --echo "$PMLAB_WAN_HOST_IP:$DIAG_ECHO_PORT" \
        --echo-interval 5s || { diag_stop >/dev/null; return 0; }
    step "zombie: --keep proved it from the WAN host (the echo service's connection arrived)" \
        wait_for 15 rn_proven zombie "$p" 1
    step "zombie: the rule is gone 3 s after the add" wait_for 6 router_has "rule-dropped mapping=tcp/$p->"
    t0=$(router_event_time "rule-dropped mapping=tcp/$p->")
    step "zombie: --keep's next proof fails, it deletes and adds the entry, the WAN host's echo arrives again" \
        poll_repair "zombie (DNAT rule gone, entry listed -> proven from the WAN host again; --echo-interval 5s)" 60 "$t0" \
        rn_zombie_repaired zombie "$p"
    rn_notes
    step "zombie: the WAN host reaches it" wait_for 10 rn_reach_quick tcp "$p"
    step "zombie: SIGTERM removes the mapping" keep_stop_clean zombie tcp "$p"
    step "zombie: the echo service stopped" diag_stop
}

# rn_echo_start: lab/suite-diagnostics.sh's echo service (and DNS responder) on the WAN host
rn_echo_start() { diag_build && diag_start; }

# rn_proven NAME PORT N: --keep NAME printed "reachable ... PORT/tcp ..." (the echo proof) at least N times
rn_proven() {
    local n
    n=$(grep -cE "^reachable $(re "$PMLAB_GW_WAN_IP"):$2/tcp " "$RN_DIR/$1.log")
    ((n >= $3))
}

# rn_zombie_repaired NAME PORT: the proof failed, the router saw our Delete and the echo proves it again
rn_zombie_repaired() {
    if grep -E "unreachable $(re "$PMLAB_GW_WAN_IP"):$2/tcp" "$RN_DIR/$1.log" \
        && router_has "remove mapping=tcp/$2->.* reason=deleted by" && rn_proven "$1" "$2" 2; then
        return 0
    fi
    echo "--keep's output so far:"
    tail -n 25 "$RN_DIR/$1.log"
    return 1
}

rn_reach_quick() { has_dnat "$1" "$2" >/dev/null && reach "$1" "$2" "$2" 2; }

rn_listed_dead() { # PORT
    upnpc -l | grep -E " TCP +$1->" || { echo "upnpc -l does not list $1"; return 1; }
    rn_unreachable_at "$PMLAB_GW_WAN_IP" "$1"
}

rn_readd_dead() { # PORT
    upnpc -a "$PMLAB_CLIENT_IP" "$1" "$1" TCP 600 | grep -E "redirected" || return 1
    rn_unreachable_at "$PMLAB_GW_WAN_IP" "$1"
}

rn_upnpc_delete_add_reach() { # PORT
    upnpc -d "$1" TCP | grep "returned : 0" || return 1
    rn_upnpc_map_reach "$PMLAB_GW_WAN_IP" "$1"
}
