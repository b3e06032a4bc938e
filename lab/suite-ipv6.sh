# shellcheck shell=bash
#
# suite-ipv6.sh — the interop suite's "ipv6" suite (issue #16, dual stack): `openport map` with no
# options opens the IPv4 mapping AND the IPv6 pinhole when the host has IPv6. Sourced by
# lab/interop.sh, which provides step, note, lab, lab_up, openport, expect_output, wait_for, reach,
# unreachable, has_dnat, no_dnat, ROOT, LAB, HELPER and the PMLAB_* addresses.
#
# For each router (gateway-lab up --ipv6 ...):
#   - both (IGD:2 with WANIPv6FirewallControl + PCP), PCP off (UPnP pinholes), UPnP off (PCP MAP
#     over IPv6): `openport map P/tcp` maps IPv4 and IPv6; the WAN host reaches the client over
#     both families (203.0.113.1:P and [2001:db8:1::2]:P); `openport unmap P/tcp` closes both;
#   - `openport map P/tcp --keep --lifetime 20s` renews the pinhole past its lease (the WAN host
#     still reaches it after 30 s), and SIGTERM leaves no pinhole rule;
#   - `openport list` shows the pinhole (UPnP: "held", checked with GetPinholePackets; PCP:
#     "recorded") and `list --json` has it in "pinholes";
#   - `openport check P/tcp --echo [WAN host IPv6]:7777` opens the pinhole and proves it through the
#     `openport echo-service` (started on the WAN host, both families); `map P/tcp --keep
#     --echo IPv4:7777 --echo [IPv6]:7777` proves the mapping and the pinhole, each in its family;
#   - -4 opens no pinhole; -6 no IPv4 mapping.
# INTEROP_IPV6="pcp upnp pcponly flags quiet" (the default: all) runs a subset, to keep a lab run short.
# Then, with the lab's defaults (no IPv6): `openport map` says nothing about IPv6.
# miniupnpd refuses pinholes below port 1024 and keeps UPnP pinholes in nft chain miniupnpd.

PORT_IPV6=41600     # 41600-41609/tcp: one port per router and step; 41610-41615: check/--keep --echo
CLIENT6_RE='2001:db8:1(::|:0:0:0:0:)2'  # the client's address as the CLI prints it (short or long form)

# pinhole_rule PORT: miniupnpd holds an IPv6 accept rule for [client]:PORT (UPnP and PCP alike)
pinhole_rule() {
    local hex
    hex=$(python3 -c 'import ipaddress, sys; print("0x%032x" % int(ipaddress.IPv6Address(sys.argv[1])))' \
        "$PMLAB_CLIENT_IP6")
    lab gw nft list chain inet pmlab miniupnpd | grep -F "@nh,192,128 $hex" | grep "th dport $1 " >/dev/null
}

no_pinhole_rule() { # PORT
    if pinhole_rule "$1"; then
        echo "a pinhole rule for [$PMLAB_CLIENT_IP6]:$1 is still there:"
        lab gw nft -a list chain inet pmlab miniupnpd
        return 1
    fi
    echo "no pinhole rule for $1 (as expected)"
}

# reach6 PROTO PORT [SECONDS]: the WAN host connects to [client]:PORT over IPv6 (no translation: a
# pinhole), a listener on [::]:PORT in the client namespace answers
reach6() {
    local proto=$1 port=$2 secs=${3:-5} dir lpid rc=0
    dir=$(mktemp -d)
    lab exec python3 "$HELPER" listen "$proto" "$port" "$secs" "$dir/ready" --ipv6 &
    lpid=$!
    if ! wait_for 10 test -s "$dir/ready"; then
        echo "IPv6 listener on $proto/$port did not come up"
        kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; rm -rf "$dir"
        return 1
    fi
    lab wan python3 "$HELPER" send "$proto" "$PMLAB_CLIENT_IP6" "$port" "interop6-$proto-$port" \
        --timeout "$secs" || rc=1
    ((rc == 0)) || kill "$lpid" 2>/dev/null
    wait "$lpid" || rc=1
    rm -rf "$dir"
    return "$rc"
}

unreachable6() { # PROTO PORT
    if reach6 "$1" "$2" 2; then
        echo "the WAN host still reaches [$PMLAB_CLIENT_IP6]:$2/$1"
        return 1
    fi
    echo "not reached over IPv6 (as expected)"
}

# ipv6_map_both PORT PROTOCOL-WORD: map with no options; the output names the IPv6 pinhole and
# the IPv4 mapping, and no warning
ipv6_map_both() {
    local out
    out=$(openport map "$1/tcp" 2>&1)
    local rc=$?
    printf '%s\n' "$out"
    ((rc == 0)) || return "$rc"
    grep -qF "$PMLAB_EXTERNAL_IP" <<<"$out" || { echo "(no IPv4 mapping on $PMLAB_EXTERNAL_IP in the output)"; return 1; }
    grep -qE "$CLIENT6_RE" <<<"$out" || { echo "(no IPv6 pinhole for 2001:db8:1::2 in the output)"; return 1; }
    grep -E "$CLIENT6_RE" <<<"$out" | grep "via $2" >/dev/null || { echo "(the pinhole was not made via $2)"; return 1; }
    ! grep -qi "not opened" <<<"$out" || { echo "(a family failed)"; return 1; }
}

# ipv6_keep_renews PORT: --keep with a 20 s lease; after 30 s the pinhole still forwards; SIGTERM
# removes the pinhole rule and the IPv4 mapping
ipv6_keep_renews() {
    local port=$1 log pid jpid rc
    log=$(mktemp)
    (cd "$ROOT" && exec "$LAB" exec ./openport map "$port/tcp" --keep --lifetime 20s) >"$log" 2>&1 </dev/null 8>&- &
    pid=$!
    if ! wait_for 30 grep -qE "$CLIENT6_RE" "$log"; then
        echo "no IPv6 pinhole within 30 s:"; cat "$log"; kill "$pid" 2>/dev/null; rm -f "$log"; return 1
    fi
    sleep 30
    reach6 tcp "$port" || { echo "pinhole gone after its 20 s lease:"; cat "$log"; kill "$pid"; rm -f "$log"; return 1; }
    pinhole_rule "$port" || { echo "no pinhole rule after 30 s"; cat "$log"; kill "$pid"; rm -f "$log"; return 1; }
    jpid=$(pgrep -f -n "openport.jar map $port/tcp --keep") || true
    [[ -n $jpid ]] || { echo "the java process of map --keep was not found"; cat "$log"; return 1; }
    kill -TERM "$jpid"
    wait "$pid"
    rc=$?
    cat "$log"
    mv "$log" "$log.out"
    echo "map --keep exited with status $rc after SIGTERM"
    if pinhole_rule "$port" && lab log 300 | grep "Unauthorized to remove PCP mapping internal port $port," >/dev/null; then
        # miniupnpd 2.3.1 (nftables) refuses the PCP delete of an IPv6 pinhole it has renewed ("Unauthorized
        # to remove PCP mapping", although the nonce is the one it accepted); openport then cuts the lease to
        # the minimum miniupnpd grants (120 s): the rule must be gone when that ends
        echo "PCP delete refused by miniupnpd after a renewal; waiting for the cut lease to end"
        local i
        for ((i = 0; i < 80; i++)); do
            pinhole_rule "$port" || break
            sleep 2
        done
    fi
    rm -f "$log.out"
    no_pinhole_rule "$port" && no_dnat tcp "$port"
}

# ipv6_list PORT STATUS: `openport list` shows the pinhole [client]:PORT with STATUS (held: the router
# confirmed it; recorded: PCP, not asked), and `list --json` has it in "pinholes"
ipv6_list() {
    local out
    out=$(openport list 2>&1) || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "$out"
    grep -qF "IPv6 pinholes openport opened" <<<"$out" || { echo "(no pinhole table)"; return 1; }
    grep -E "\[$CLIENT6_RE\]:$1 " <<<"$out" | grep -E " $2 " >/dev/null || { echo "(no $2 pinhole for port $1)"; return 1; }
    out=$(openport list --json 2>/dev/null)
    python3 -c 'import json, sys
doc = json.loads(sys.argv[1])
ph = [p for p in doc["pinholes"] if p["externalPort"] == int(sys.argv[2])]
assert ph and ph[0]["status"] == sys.argv[3], doc["pinholes"]
assert all(m["externalPort"] != int(sys.argv[2]) or ":" not in (m["internalAddress"] or "") for m in doc["mappings"])
print("list --json: pinhole", ph[0]["internalAddress"], ph[0]["externalPort"], ph[0]["status"])' "$out" "$1" "$2"
}

# ipv6_check_echo PORT: `check PORT/tcp --echo [WAN host]:7777` proves the pinhole over IPv6 (and says
# the IPv4 mapping is not proven: the service was given its IPv6 address only)
ipv6_check_echo() {
    expect_output "^reachability tcp \(IPv6\): proven" openport check "$1/tcp" --no-public-check \
        --echo "[$PMLAB_WAN_HOST_IP6]:$DIAG_ECHO_PORT"
}

# ipv6_keep_echo PORT: `map PORT/tcp --keep` with one --echo per family proves the IPv4 mapping and the
# IPv6 pinhole from the WAN host, each through the echo service's address in its family; SIGTERM ends it
ipv6_keep_echo() {
    local port=$1 log pid jpid rc=0
    log=$(mktemp)
    (cd "$ROOT" && exec "$LAB" exec ./openport map "$port/tcp" --keep --echo "$PMLAB_WAN_HOST_IP:$DIAG_ECHO_PORT" \
        --echo "[$PMLAB_WAN_HOST_IP6]:$DIAG_ECHO_PORT" --echo-interval 5s) >"$log" 2>&1 </dev/null 8>&- &
    pid=$!
    wait_for 30 sh -c 'grep -qF "reachable $1:$2/tcp" "$3" && grep -qE "^reachable \[$4\]:$2/tcp" "$3"' sh \
        "$PMLAB_EXTERNAL_IP" "$port" "$log" "$CLIENT6_RE" || { echo "(not both families proven within 30 s)"; rc=1; }
    jpid=$(pgrep -f -n "openport.jar map $port/tcp --keep") || true
    [[ -z $jpid ]] || kill -TERM "$jpid"
    wait "$pid" # a JVM ended by SIGTERM exits 143 after its shutdown hook: the "removed" lines say it cleaned up
    cat "$log"
    grep -q "^removed" "$log" || { echo "(nothing removed on SIGTERM)"; rc=1; }
    ! grep -q "unreachable" "$log" || { echo "(a proof failed)"; rc=1; }
    rm -f "$log"
    return "$rc"
}

ipv6_router() { # FIRST-PORT PROTOCOL-WORD GATEWAY-LAB-OPTIONS...
    local p=$1 via=$2; shift 2
    # step runs in a subshell: the addresses are loaded here, where the steps below can see them
    if ! step "lab up $* (IPv6 router)" lab_up "$@" || ! load_env; then
        return 1
    fi
    step "openport map $p/tcp: IPv4 mapping and IPv6 pinhole via $via" ipv6_map_both "$p" "$via"
    step "WAN host reaches the client over IPv4 ($PMLAB_EXTERNAL_IP:$p)" reach tcp "$p" "$p"
    step "WAN host reaches the client over IPv6 ([$PMLAB_CLIENT_IP6]:$p)" reach6 tcp "$p"
    local status=held
    [[ $via == UPnP ]] || status=recorded
    step "openport list shows the $via pinhole for $p as $status" ipv6_list "$p" "$status"
    step "openport unmap $p/tcp closes both" openport unmap "$p/tcp"
    step "IPv6 unreachable after unmap" unreachable6 tcp "$p"
    step "IPv4 unreachable after unmap" unreachable tcp "$p" "$p"
    if [[ -n $ECHO6_READY ]]; then
        DIAG_LOG=$(mktemp -d /tmp/openport-diag.XXXXXX) || return 1
        if step "start the echo service on the WAN host (both families, [::]:$DIAG_ECHO_PORT)" diag_start_echo "::"; then
            # its own port: miniupnpd may refuse the PCP delete of the pinhole check renewed (read back),
            # which then lives on for 120 s (see ipv6_keep_renews)
            step "openport check $((p + 10))/tcp --echo [$PMLAB_WAN_HOST_IP6]:$DIAG_ECHO_PORT: the $via pinhole is proven" \
                ipv6_check_echo "$((p + 10))"
            step "openport map $((p + 11))/tcp --keep --echo IPv4 --echo [IPv6]: both families proven from outside" \
                ipv6_keep_echo "$((p + 11))"
        fi
        step "stop the echo service" diag_stop
    fi
    step "openport map $((p + 1))/tcp --keep --lifetime 20s: pinhole renewed past its lease, gone after SIGTERM" \
        ipv6_keep_renews "$((p + 1))"
}

ipv6_part() { [[ " ${INTEROP_IPV6:-pcp upnp pcponly flags quiet} " == *" $1 "* ]]; }

suite_ipv6() {
    local p=$PORT_IPV6 ECHO6_READY=
    # the echo service of `check --echo` (`openport echo-service`), run on the WAN host per router
    step "the CLI with its echo service is built (openport --version)" openport --version && ECHO6_READY=1
    ! ipv6_part pcp || ipv6_router "$p" "PCP" --ipv6 --igd2
    ! ipv6_part upnp || ipv6_router "$((p + 2))" "UPnP" --ipv6 --igd2 --protocols upnp,natpmp
    ! ipv6_part pcponly || ipv6_router "$((p + 4))" "PCP" --ipv6 --protocols natpmp,pcp
    ipv6_part flags || ipv6_part quiet || return 0
    if ! ipv6_part flags; then
        ipv6_quiet "$p"
        return
    fi
    step "openport map $((p + 6))/tcp -4: no pinhole" ipv6_map_v4_only "$((p + 6))"
    step "no pinhole rule for $((p + 6)) after -4" no_pinhole_rule "$((p + 6))"
    step "openport map $((p + 7))/tcp -6: the pinhole only" expect_output "$CLIENT6_RE" \
        openport map "$((p + 7))/tcp" -6
    step "WAN host reaches the -6 pinhole" reach6 tcp "$((p + 7))"
    step "no IPv4 mapping for $((p + 7)) after -6" no_dnat tcp "$((p + 7))"
    step "openport unmap $((p + 7))/tcp" openport unmap "$((p + 7))/tcp"
    ! ipv6_part quiet || ipv6_quiet "$p"
}

ipv6_quiet() { # FIRST-PORT: back to the defaults: IPv4 only, and not a word about IPv6
    local p=$1
    step "lab defaults (no IPv6)" lab_up && load_env
    step "openport map $((p + 8))/tcp on an IPv4-only network says nothing about IPv6" ipv4_only_quiet "$((p + 8))"
    step "openport unmap $((p + 8))/tcp" openport unmap "$((p + 8))/tcp"
}

ipv6_map_v4_only() { # PORT: -4 maps IPv4 only
    local out
    out=$(openport map "$1/tcp" -4 2>&1) || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "$out"
    ! grep -qE "$CLIENT6_RE" <<<"$out" || { echo "(a pinhole despite -4)"; return 1; }
    openport unmap "$1/tcp"
}

ipv4_only_quiet() { # PORT
    local out
    out=$(openport map "$1/tcp" 2>&1) || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "$out"
    ! grep -qi "ipv6" <<<"$out" || { echo "(IPv6 mentioned on an IPv4-only network)"; return 1; }
}
