#!/usr/bin/env bash
#
# interop.sh — openport's interop suite.
#
# Runs our CLI (./openport) and the reference clients (natpmpc, ...) against a real
# router daemon (miniupnpd in lab/gateway-lab, see lab/README.md). A WAN host then
# sends traffic to the router's external address, so a step passes only when a
# mapping really forwards (and, after an unmap, really stops forwarding).
#
# Usage (as root; from any directory):
#   bash lab/interop.sh [SUITE...]     run the named suites (default: all, in the order below)
#   bash lab/interop.sh --list         list the suites
#
# Output: one line per step, "ok   - NAME" or "FAIL - NAME" followed by the tail of
# the step's output; "skip - NAME (why)" for a step that cannot apply yet (e.g. a Java
# lab test class that does not exist). The last line is "interop: N passed, M failed".
# Exit status: 0 when nothing failed, 1 otherwise, 2 on a usage error.
#
# The lab is brought up with its defaults (and restarted, so no mapping of an earlier
# run is left); at the end it is left up with its defaults, or taken down when CI=true.
#
# Environment:
#   OPENPORT_LAB_LOCK  lock file held for the whole run (default /tmp/openport-lab.lock;
#                      empty: no lock). The suite takes it itself: don't wrap it in flock.
#   OPENPORT_MVN_LOCK  lock file held around each Maven run (default /tmp/openport-mvn.lock;
#                      empty: no lock)
#   INTEROP_LAB_END    up|down: how to leave the lab (default: down when CI=true, else up)
#   INTEROP_MVN_AM     1: build a Java lab test's module together with the modules it
#                      needs (mvn -am; needed in a fresh clone, where core is not in
#                      ~/.m2); 0: use the installed core. Default: 1 when CI=true, else 0.
#   INTEROP_TAIL       lines of output shown under a failed step (default 15)
#   INTEROP_REALNET    the realnet scenarios to run (default: half-open dropper lease0 renumber
#                      lan-change zombie)
#
# Adding a suite: write a function suite_NAME that calls `step DESCRIPTION CMD...`
# for each check, and add NAME to SUITES. Steps run with the lab at its defaults
# (call `step "..." lab_up OPTIONS...` to change them; lab_up with no options restores them).
#
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/lab/gateway-lab
# suites kept in files of their own
# shellcheck source=lab/suite-diagnostics.sh
source "$ROOT/lab/suite-diagnostics.sh"
# shellcheck source=lab/suite-ipv6.sh
source "$ROOT/lab/suite-ipv6.sh"
# shellcheck source=lab/suite-realnet.sh
source "$ROOT/lab/suite-realnet.sh"

# suites, in the order they run by default
SUITES=(lab natpmp natpmpc upnp pcp auto cli managed diagnostics realnet vpn ipv6 java)

# Java lab tests: "MODULE:TestClass[:gateway-lab up options]". Each runs inside the lab's
# client namespace with -DOPENPORT_LAB=1 (without it, JUnit skips these classes) and
# -Dopenport.loopbackOnly=false (with --ipv6 in its lab options also -DOPENPORT_LAB_IPV6=1).
# A class that does not exist (yet) is reported as skipped.
# Example: "natpmp:NatPmpLabTest"  "upnp:UpnpIgd2LabTest:--igd2" (quote an entry with spaces)
JAVA_LAB_TESTS=(
    natpmp:NatPmpLabTest
    natpmp:NatPmpUnsupportedLabTest
    pcp:PcpLabIT
    upnp:UpnpLabIT
    "upnp:UpnpLabIpv6IT:--ipv6 --igd2"
)

# ports per suite (each suite its own, so a leftover conntrack entry of one suite
# never makes another pass or fail)
PORT_NATPMP=41001     # openport, NAT-PMP: 41001/tcp, 41002/udp
PORT_NATPMPC=41011    # natpmpc:           41011/tcp, 41012/udp
PORT_UPNP=41031       # openport, UPnP:    41031/tcp, 41032/udp
PORT_PCP=41041        # openport, PCP:     41041/tcp, 41042/udp (41049: the reference MAP)
PORT_AUTO=41021       # openport without --protocol: 41021-41024/tcp
PORT_CLI=41061        # the CLI as scripts use it: 41061/tcp (--json), 41062-41063 (list), 41064 (--keep)

LAB_LOCK=${OPENPORT_LAB_LOCK-/tmp/openport-lab.lock}
MVN_LOCK=${OPENPORT_MVN_LOCK-/tmp/openport-mvn.lock}
if [[ ${CI:-} == true ]]; then
    LAB_END=${INTEROP_LAB_END:-down}
    MVN_AM=${INTEROP_MVN_AM:-1}
else
    LAB_END=${INTEROP_LAB_END:-up}
    MVN_AM=${INTEROP_MVN_AM:-0}
fi
TAIL=${INTEROP_TAIL:-15}

PASSED=0
FAILED=0
SKIPPED=0
START=$SECONDS

# --- reporting ----------------------------------------------------------------
# step DESCRIPTION CMD...: run CMD (stdin closed), count and print the result.
step() {
    local desc=$1 out rc; shift
    out=$("$@" </dev/null 2>&1)
    rc=$?
    if ((rc == 0)); then
        PASSED=$((PASSED + 1))
        echo "ok   - $desc"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL - $desc"
        [[ -n $out ]] || out="(no output; exit status $rc)"
        printf '%s\n' "$out" | tail -n "$TAIL" | sed 's/^/       /'
    fi
    return "$rc"
}

skip() { # DESCRIPTION WHY
    SKIPPED=$((SKIPPED + 1))
    echo "skip - $1 ($2)"
}

note() { echo "# $*"; }

# --- lab access ------------------------------------------------------------------
lab() { "$LAB" "$@"; }

# lab_up [OPTIONS]: the lab up with exactly these options (none: defaults), then the
# lab's addresses in PMLAB_* (eval of `gateway-lab env`)
lab_up() {
    lab up "$@" || return
    load_env
}

load_env() {
    local env
    env=$(lab env) || return
    eval "$env"
    HELPER=$PMLAB_STATE_DIR/pmlab_helper.py
    [[ -f $HELPER ]] || { echo "lab helper $HELPER missing"; return 1; }
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds or SECONDS pass
wait_for() {
    local deadline=$((${EPOCHREALTIME/./} + $1 * 1000000)); shift
    until "$@"; do
        ((${EPOCHREALTIME/./} < deadline)) || return 1
        sleep 0.05
    done
}

# reach PROTO EXT_PORT INT_PORT [SECONDS]: the WAN host sends a message to the
# router's WAN address (REACH_HOST if set), port EXT_PORT; a listener in the client namespace on INT_PORT
# must receive it and answer (the answer must come back to the WAN host).
reach() {
    local proto=$1 eport=$2 iport=$3 secs=${4:-5} dir lpid rc=0
    dir=$(mktemp -d)
    lab exec python3 "$HELPER" listen "$proto" "$iport" "$secs" "$dir/ready" &
    lpid=$!
    if ! wait_for 10 test -s "$dir/ready"; then
        echo "listener on $proto/$iport did not come up"
        kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
        rm -rf "$dir"
        return 1
    fi
    lab wan python3 "$HELPER" send "$proto" "${REACH_HOST:-$PMLAB_GW_WAN_IP}" "$eport" "interop-$proto-$eport" \
        --timeout "$secs" || rc=1
    # nothing arrived: don't wait for the listener's own timeout
    ((rc == 0)) || kill "$lpid" 2>/dev/null
    wait "$lpid" || rc=1
    rm -rf "$dir"
    return "$rc"
}

# unreachable PROTO EXT_PORT INT_PORT: reach fails (within 2 s)
unreachable() {
    if reach "$1" "$2" "$3" 2; then
        echo "the WAN host still reaches the client on $1/$2"
        return 1
    fi
    echo "not reached (as expected)"
}

# dnat_rule PROTO PORT: print miniupnpd's DNAT rule(s) for PROTO/PORT in the router.
# miniupnpd 2.3.1 matches the protocol as raw payload: "@nh,72,8 0x6 th dport 5000" (TCP;
# 0x11 for UDP); a plain "tcp dport 5000" is matched too in case a later version writes that.
dnat_rule() {
    local hex rules
    case $1 in tcp) hex=0x6 ;; udp) hex=0x11 ;; *) echo "bad protocol $1"; return 2 ;; esac
    rules=$(lab gw nft list chain inet pmlab prerouting_miniupnpd) || return 2
    grep -E "(@nh,72,8 $hex th|$1) dport $2 " <<<"$rules"
}

has_dnat() { # PROTO PORT: the router has a DNAT rule for PROTO/PORT to the client
    local rule
    rule=$(dnat_rule "$1" "$2")
    printf '%s\n' "${rule:-no DNAT rule for $1/$2}"
    grep -qF "dnat ip to $PMLAB_CLIENT_IP:" <<<"$rule"
}

no_dnat() { # PROTO PORT: miniupnpd left no DNAT rule for PROTO/PORT
    local rule rc
    rule=$(dnat_rule "$1" "$2")
    rc=$?
    ((rc != 2)) || return 1
    [[ -z $rule ]] && return 0
    printf 'DNAT rule for %s/%s still there: %s\n' "$1" "$2" "$rule"
    return 1
}

# expect_output REGEX CMD...: CMD succeeds and its output has a line matching REGEX
expect_output() {
    local re=$1 out rc; shift
    out=$("$@" 2>&1)
    rc=$?
    # colour codes (e.g. from a Maven build the launcher ran first) would hide a line's start
    out=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$out")
    printf '%s\n' "$out"
    ((rc == 0)) || { echo "(exit status $rc)"; return "$rc"; }
    grep -qE -- "$re" <<<"$out" || { echo "(no line matches: $re)"; return 1; }
}

re() { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; } # STRING -> ERE matching it literally

# openport ARGS...: our CLI, in the client namespace, from the repository root
openport() {
    if [[ ! -x $ROOT/openport ]]; then
        echo "./openport not found or not executable: the CLI launcher is missing (not built/landed yet?)"
        return 127
    fi
    (cd "$ROOT" && lab exec ./openport "$@")
}

natpmpc() { lab exec natpmpc -g "$PMLAB_GW_LAN_IP" "$@"; }
# upnpc needs -i (it calls the documentation-range external address "not connected"); -u
# skips its fixed 2 s SSDP wait
upnpc() { lab exec upnpc -i -u "$PMLAB_UPNP_ROOTDESC_URL" "$@"; }

# with_lock LOCKFILE CMD...: CMD under flock (no lock when LOCKFILE is empty)
with_lock() {
    local lock=$1; shift
    if [[ -n $lock ]]; then
        flock -w 1800 "$lock" "$@"
    else
        "$@"
    fi
}

# --- suites --------------------------------------------------------------------------
# The lab itself, checked with the reference clients (upnpc, natpmpc, the lab's PCP
# client) before any of our code is blamed.
suite_lab() {
    step "gateway-lab selftest (upnpc, natpmpc, PCP: map, forward, unmap)" lab selftest
}

# cli_mapping_steps PROTOCOL LABEL PORT: with our CLI and --protocol PROTOCOL, map
# PORT/tcp and PORT+1/udp (the output must name LABEL), check the router's DNAT rules and
# traffic from the WAN host; unmap both, the rules are gone and the traffic stops.
cli_mapping_steps() {
    local proto=$1 label=$2 t=$3 u=$(($3 + 1)) ext gw client
    ext=$(re "$PMLAB_EXTERNAL_IP") gw=$(re "$PMLAB_GW_LAN_IP") client=$(re "$PMLAB_CLIENT_IP")
    step "openport map $t/tcp --protocol $proto" \
        expect_output "^mapped $ext:$t/tcp -> $client:$t via $(re "$label") \(gateway $gw\), lease " \
        openport map "$t/tcp" --protocol "$proto"
    step "router has a DNAT rule for $t/tcp" has_dnat tcp "$t"
    step "WAN host reaches the client through openport's $label TCP mapping" reach tcp "$t" "$t"
    step "openport map $u/udp --protocol $proto" \
        expect_output "^mapped $ext:$u/udp -> $client:$u via $(re "$label") \(gateway $gw\), lease " \
        openport map "$u/udp" --protocol "$proto"
    step "router has a DNAT rule for $u/udp" has_dnat udp "$u"
    step "WAN host reaches the client through openport's $label UDP mapping" reach udp "$u" "$u"
    step "openport unmap $t/tcp" openport unmap "$t/tcp"
    step "openport unmap $u/udp" openport unmap "$u/udp"
    step "no DNAT rule left for $t/tcp" no_dnat tcp "$t"
    step "no DNAT rule left for $u/udp" no_dnat udp "$u"
    step "WAN host no longer reaches $t/tcp" unreachable tcp "$t" "$t"
    step "WAN host no longer reaches $u/udp" unreachable udp "$u" "$u"
}

# openport over NAT-PMP; natpmpc is the reference for the external address
suite_natpmp() {
    cli_mapping_steps natpmp NAT-PMP "$PORT_NATPMP"
    step "openport external-ip --protocol natpmp reports what natpmpc -g reports ($PMLAB_EXTERNAL_IP)" \
        same_external_ip natpmp natpmpc_external_ip
    # whatever failed above: leave no mapping behind
    natpmpc -a 0 "$PORT_NATPMP" tcp 0 >/dev/null 2>&1
    natpmpc -a 0 "$((PORT_NATPMP + 1))" udp 0 >/dev/null 2>&1
}

# openport over UPnP IGD; upnpc is the reference for the external address
suite_upnp() {
    cli_mapping_steps upnp UPnP "$PORT_UPNP"
    step "openport external-ip --protocol upnp reports what upnpc -s reports ($PMLAB_EXTERNAL_IP)" \
        same_external_ip upnp upnpc_external_ip
    upnpc -d "$PORT_UPNP" TCP >/dev/null 2>&1
    upnpc -d "$((PORT_UPNP + 1))" UDP >/dev/null 2>&1
}

# openport over PCP; the lab's PCP client is the reference (PCP has no "external address"
# request: a MAP answer carries it)
suite_pcp() {
    cli_mapping_steps pcp PCP "$PORT_PCP"
    step "openport external-ip --protocol pcp reports what a PCP MAP of the lab's client reports ($PMLAB_EXTERNAL_IP)" \
        same_external_ip pcp pcp_external_ip
    # whatever failed above: leave no mapping behind (a restart clears them all)
    if [[ -n $(dnat_rule tcp "$PORT_PCP"; dnat_rule udp "$((PORT_PCP + 1))") ]]; then lab restart >/dev/null 2>&1; fi
}

natpmpc_external_ip() { natpmpc | sed -n 's/^Public IP address : //p'; }
upnpc_external_ip() { upnpc -s | sed -n 's/^ExternalIPAddress = //p'; }
pcp_external_ip() { # a MAP and its delete (same nonce), with the lab's PCP client
    local nonce=0badc0de0badc0de0badc0de port=$((PORT_PCP + 8)) out
    out=$(lab pcp tcp "$port" --lifetime 60 --nonce "$nonce")
    lab pcp tcp "$port" --lifetime 0 --nonce "$nonce" >/dev/null
    sed -n 's/^PCP MAP result=0 SUCCESS .* external=\([0-9.]*\):[0-9]* .*/\1/p' <<<"$out"
}

# same_external_ip PROTOCOL REFERENCE_FN: `openport external-ip --protocol PROTOCOL` and
# the reference client agree, and both say what the lab's router believes its external
# address is
same_external_ip() {
    local ours theirs ip
    ours=$(openport external-ip --protocol "$1" 2>&1) || { printf '%s\n' "$ours"; return 1; }
    theirs=$("$2" 2>/dev/null)
    # our output may be decorated ("203.0.113.1 via NAT-PMP ..."): take its first IPv4
    # address that is not the gateway's
    ip=$(grep -oE '\b([0-9]{1,3}\.){3}[0-9]{1,3}\b' <<<"$ours" | grep -vxF "$PMLAB_GW_LAN_IP" | head -n 1)
    echo "openport external-ip --protocol $1: $ours"
    echo "$2: ${theirs:-(none)}"
    [[ -n $ip && $ip == "$theirs" && $theirs == "$PMLAB_EXTERNAL_IP" ]]
}

# the reference client natpmpc, same steps (proves the lab, and is the baseline
# our CLI is compared with)
suite_natpmpc() {
    local t=$PORT_NATPMPC u=$((PORT_NATPMPC + 1))
    step "natpmpc: public address is $PMLAB_EXTERNAL_IP" \
        expect_output "^Public IP address : $(re "$PMLAB_EXTERNAL_IP")\$" natpmpc
    step "natpmpc -a $t $t tcp 3600" \
        expect_output "Mapped public port $t protocol TCP to local port $t liftime 3600" \
        natpmpc -a "$t" "$t" tcp 3600
    step "router has a DNAT rule for $t/tcp" has_dnat tcp "$t"
    step "WAN host reaches the client through natpmpc's TCP mapping" reach tcp "$t" "$t"
    step "natpmpc -a $u $u udp 3600" \
        expect_output "Mapped public port $u protocol UDP to local port $u liftime 3600" \
        natpmpc -a "$u" "$u" udp 3600
    step "router has a DNAT rule for $u/udp" has_dnat udp "$u"
    step "WAN host reaches the client through natpmpc's UDP mapping" reach udp "$u" "$u"
    step "natpmpc delete (lifetime 0) $t/tcp" \
        expect_output "Mapped public port 0 protocol TCP to local port $t liftime 0" natpmpc -a 0 "$t" tcp 0
    step "natpmpc delete (lifetime 0) $u/udp" \
        expect_output "Mapped public port 0 protocol UDP to local port $u liftime 0" natpmpc -a 0 "$u" udp 0
    step "no DNAT rule left for $t/tcp" no_dnat tcp "$t"
    step "no DNAT rule left for $u/udp" no_dnat udp "$u"
    step "WAN host no longer reaches $t/tcp" unreachable tcp "$t" "$t"
    step "WAN host no longer reaches $u/udp" unreachable udp "$u" "$u"
}

# openport without --protocol picks the best protocol the router speaks (PCP > NAT-PMP >
# UPnP): the full router, then routers that speak one protocol only (a disabled NAT-PMP or
# PCP answers "unsupported version", as real single-protocol routers do).
suite_auto() {
    local router label port=$PORT_AUTO
    for router in "upnp,natpmp,pcp PCP" "natpmp NAT-PMP" "upnp UPnP" "pcp PCP"; do
        label=${router#* } router=${router%% *}
        auto_steps "$router" "$label" "$port"
        port=$((port + 1))
    done
    step "lab back to its defaults" lab_up
}

auto_steps() { # ROUTER_PROTOCOLS LABEL PORT
    local protocols=$1 label=$2 t=$3
    step "lab up --protocols $protocols" lab_up --protocols "$protocols" || return 0
    step "openport map $t/tcp (no --protocol) on a $protocols router uses $label" \
        expect_output "^mapped $(re "$PMLAB_EXTERNAL_IP"):$t/tcp -> $(re "$PMLAB_CLIENT_IP"):$t via $(re "$label") " \
        openport map "$t/tcp"
    step "WAN host reaches the client through it" reach tcp "$t" "$t"
    step "openport unmap $t/tcp" openport unmap "$t/tcp"
    step "no DNAT rule left for $t/tcp" no_dnat tcp "$t"
    if [[ -n $(dnat_rule tcp "$t") ]]; then lab restart >/dev/null 2>&1; fi
}

# The CLI as a script or a person uses it (issue #6): --json output parsed, `list` against
# `upnpc -l`, and `map --keep` stopped with SIGTERM leaving nothing on the router.
suite_cli() {
    local p=$PORT_CLI
    step "openport --json map $p/tcp: the document parses and its externalAddress is $PMLAB_EXTERNAL_IP" \
        cli_json_map "$p"
    step "openport unmap $p/tcp" openport unmap "$p/tcp"
    step "openport map $((p + 1))/tcp and $((p + 2))/udp --protocol upnp" \
        openport map "$((p + 1))/tcp" "$((p + 2))/udp" --protocol upnp
    step "openport list --json shows exactly what upnpc -l shows" cli_list_like_upnpc
    step "openport unmap $((p + 1))/tcp $((p + 2))/udp" openport unmap "$((p + 1))/tcp" "$((p + 2))/udp"
    step "openport map $((p + 3))/tcp --keep, stopped with SIGTERM, removes its mapping before it exits" \
        cli_keep_sigterm "$((p + 3))"
    upnpc -d "$((p + 1))" TCP >/dev/null 2>&1
    upnpc -d "$((p + 2))" UDP >/dev/null 2>&1
}

cli_json_map() { # PORT
    local out
    out=$(openport --json map "$1/tcp" 2>/dev/null) || { printf '%s\n' "$out"; return 1; }
    printf '%s\n' "$out"
    python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
m = doc["mappings"][0]
assert doc["command"] == "map" and doc["ok"] is True, doc
assert m["externalAddress"] == sys.argv[2], m
assert m["externalPort"] == int(sys.argv[3]) and m["transport"] == "tcp", m
assert m["internalAddress"] == sys.argv[4] and m["reachable"] is True, m
print("parsed: %s:%d via %s" % (m["externalAddress"], m["externalPort"], m["protocol"]))
' "$out" "$PMLAB_EXTERNAL_IP" "$1" "$PMLAB_CLIENT_IP"
}

cli_list_like_upnpc() { # the router's table, as "PROTO EXT->IP:INT" lines, from both tools
    local ours theirs
    ours=$(openport --json list --protocol upnp 2>/dev/null | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["source"] == "gateway", doc
for m in doc["mappings"]:
    print("%s %d->%s:%d" % (m["transport"].upper(), m["externalPort"], m["internalAddress"], m["internalPort"]))
' | sort) || return 1
    theirs=$(upnpc -l | sed -nE 's/^ *[0-9]+ (TCP|UDP) +([0-9]+)->([0-9.]+):([0-9]+) .*/\1 \2->\3:\4/p' | sort)
    echo "openport list:"; printf '  %s\n' "$ours"
    echo "upnpc -l:"; printf '  %s\n' "$theirs"
    [[ -n $ours && $ours == "$theirs" ]]
}

cli_keep_sigterm() { # PORT: map --keep in the background, SIGTERM, nothing left
    local port=$1 log pid jpid rc
    log=$(mktemp)
    (cd "$ROOT" && exec "$LAB" exec ./openport map "$port/tcp" --keep --protocol upnp) >"$log" 2>&1 </dev/null 8>&- &
    pid=$!
    if ! wait_for 30 grep -q "^mapped " "$log"; then
        echo "no mapping within 30 s:"; cat "$log"; kill "$pid" 2>/dev/null; rm -f "$log"; return 1
    fi
    has_dnat tcp "$port" || { kill "$pid" 2>/dev/null; rm -f "$log"; return 1; }
    # gateway-lab exec and the launcher exec their way down to java: signal that process
    jpid=$(pgrep -f -n "openport.jar map $port/tcp --keep") || true
    [[ -n $jpid ]] || { echo "the java process of map --keep was not found"; cat "$log"; return 1; }
    kill -TERM "$jpid"
    wait "$pid"
    rc=$?
    cat "$log"
    rm -f "$log"
    echo "map --keep exited with status $rc after SIGTERM"
    no_dnat tcp "$port"
}

# OpenPort.map (issue #5) through examples/GameServer.java: mapped and reachable from the WAN host,
# back within 2 s of a router restart, and nothing left on the router once it stops; per protocol,
# with TCP+UDP in one call and a SIGTERM (the shutdown hook), and a failover PCP -> UPnP.
suite_managed() {
    GAME_LOG=$(mktemp)
    if [[ ! -f $ROOT/cli/target/openport.jar ]]; then
        skip "managed: OpenPort.map game server" "cli/target/openport.jar not built (mvn package)"
        return 0
    fi
    step "game server on a full router (PCP): restart restored within 2 s, closed cleanly" \
        game_server EXPECT=PCP PORT=41051
    game_notes
    step "game server on a NAT-PMP-only router: restart restored within 2 s" \
        game_server EXPECT=NAT-PMP PORT=41052 UP_OPTS="--protocols natpmp"
    game_notes
    step "game server on a UPnP-only router (1 s check): restart restored within 2 s" \
        game_server EXPECT=UPnP PORT=41053 UP_OPTS="--protocols upnp"
    game_notes
    step "game server TCP+UDP in one call, stopped by SIGTERM: the shutdown hook empties the router" \
        game_server EXPECT=PCP PORT=41054 UDP_TOO=1 STOP=term
    game_notes
    step "game server fails over when PCP/NAT-PMP go silent after a restart (UPnP only): back within 15 s" \
        game_server EXPECT=PCP PORT=41055 RUN=30 RESTART_OPTS="--protocols upnp --unsupported drop" WITHIN=15000
    game_notes
    rm -f "$GAME_LOG"
    step "lab back to its defaults" lab_up
    load_env
}

game_notes() { # the measured lines of the last game-server run
    local line
    while IFS= read -r line; do note "  $line"; done < <(grep -E "^ok   (mapped|reachable again)" "$GAME_LOG")
}

# game_server [EXPECT=PROTOCOL] VAR=VALUE...: examples/lab-game-server.sh with these settings (we hold the
# lab lock); EXPECT names the protocol OpenPort.map must choose on that router
game_server() {
    local a expect="" args=() rc
    for a in "$@"; do
        case $a in EXPECT=*) expect=${a#EXPECT=} ;; *) args+=("$a") ;; esac
    done
    env OPENPORT_LAB_LOCKED=1 RUN=12 CHECK=1 "${args[@]}" bash "$ROOT/examples/lab-game-server.sh" | tee "$GAME_LOG"
    rc=${PIPESTATUS[0]}
    if ((rc == 0)) && [[ -n $expect ]] && ! grep -q "players connect to .* via $expect " "$GAME_LOG"; then
        echo "expected OpenPort.map to choose $expect on this router"
        return 1
    fi
    return "$rc"
}

# Java lab tests (JUnit), run inside the client namespace; see JAVA_LAB_TESTS.
suite_java() {
    local entry module cls opts
    if ((${#JAVA_LAB_TESTS[@]} == 0)); then
        note "java: no Java lab tests registered (JAVA_LAB_TESTS in lab/interop.sh)"
        return 0
    fi
    for entry in "${JAVA_LAB_TESTS[@]}"; do
        IFS=: read -r module cls opts <<<"$entry"
        if [[ -z $(find "$ROOT/$module/src/test/java" -name "$cls.java" 2>/dev/null) ]]; then
            skip "java: $module $cls" "no $cls.java in $module/src/test/java"
            continue
        fi
        # shellcheck disable=SC2086  # opts are words for gateway-lab up
        step "lab up ${opts:-(defaults)} for $cls" lab_up $opts || continue
        load_env # step ran lab_up in a subshell: the addresses (e.g. PMLAB_EXTERNAL_IP) may differ now
        step "java: $module $cls (in the lab's client namespace)" java_lab_test "$module" "$cls" "$opts"
    done
    step "lab back to its defaults" lab_up
    load_env
}

# java_lab_test MODULE CLASS [LAB_OPTIONS]: Maven, offline (the client namespace has no way out),
# only that class, only the default test execution (-Dtest would also make the fuzz
# execution run it a second time)
java_lab_test() {
    local module=$1 cls=$2 opts=${3:-} am=() props=(-DOPENPORT_LAB=1) out rc marker report
    ((MVN_AM)) && am=(-am)
    [[ " $opts " == *" --ipv6 "* ]] && props+=(-DOPENPORT_LAB_IPV6=1)
    marker=$(mktemp)
    out=$(cd "$ROOT" && with_lock "$MVN_LOCK" "$LAB" exec env OPENPORT_LAB=1 \
        mvn -o -B -q -pl "$module" "${am[@]}" test-compile surefire:test@default-test \
        -Dtest="$cls" -Dsurefire.failIfNoSpecifiedTests=false \
        "${props[@]}" -Dopenport.loopbackOnly=false 2>&1)
    rc=$?
    # no colour codes; and Maven's generic advice after a failure says nothing about the test
    [[ -z $out ]] || sed -e 's/\x1b\[[0-9;]*m//g' -e '/^\[ERROR\] -> \[Help 1\]/,$d' <<<"$out"
    if ((rc == 0)); then
        # passing by running nothing is not passing (e.g. a class gated on something else)
        report=$(find "$ROOT/$module/target/surefire-reports" -name "*.$cls.txt" -newer "$marker" 2>/dev/null | head -n 1)
        if [[ -z $report ]]; then
            echo "no fresh surefire report for $cls: did it run?"; rc=1
        else
            grep -h "^Tests run:" "$report"
            grep -qE "^Tests run: [1-9]" "$report" || { echo "$cls ran no test"; rc=1; }
            grep -qE "^Tests run: ([0-9]+), .*Skipped: \1," "$report" \
                && { echo "$cls skipped all its tests (gated on -DOPENPORT_LAB=1?)"; rc=1; }
        fi
    fi
    rm -f "$marker"
    return "$rc"
}

# --- main ----------------------------------------------------------------------------
FINISHED=0
finish() {
    local rc=$?
    if ((!FINISHED)); then
        # interrupted or aborted: stop what suites started on the lab's hosts, put the lab back
        [[ -n ${DIAG_LOG:-} ]] && diag_stop >/dev/null 2>&1
        rn_cleanup >/dev/null 2>&1
        echo "interop: aborted; lab $LAB_END"
        lab "$LAB_END" >/dev/null 2>&1
        echo "interop: $PASSED passed, $((FAILED > 0 ? FAILED : 1)) failed"
        exit $((rc ? rc : 1))
    fi
}

main() {
    local s run=()
    case ${1:-} in
        --list) printf '%s\n' "${SUITES[@]}"; return 0 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; return 0 ;;
    esac
    for s in "$@"; do
        declare -F "suite_$s" >/dev/null || { echo "interop: unknown suite '$s' (have: ${SUITES[*]})" >&2; exit 2; }
        run+=("$s")
    done
    ((${#run[@]})) || run=("${SUITES[@]}")
    [[ $(id -u) -eq 0 ]] || { echo "interop: must run as root (the lab needs network namespaces)" >&2; exit 2; }

    if [[ -n $LAB_LOCK ]]; then
        exec 8>>"$LAB_LOCK" || exit 1
        if ! flock -n 8; then
            echo "interop: waiting for the lab lock $LAB_LOCK (another lab user holds it;" \
                "if you wrapped this script in flock, set OPENPORT_LAB_LOCK= instead)" >&2
            flock -w 1800 8 || { echo "interop: no lab lock after 30 min" >&2; exit 1; }
            echo "interop: got the lab lock after $((SECONDS - START)) s" >&2
        fi
    fi
    trap finish EXIT
    trap 'exit 130' INT TERM

    note "openport interop suite: ${run[*]} ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no git"))"
    # a fresh router: defaults, and a restart so no mapping of an earlier run is left
    if ! step "lab up (defaults, mappings cleared)" sh -c '"$1" up && "$1" restart' sh "$LAB" \
        || ! step "lab addresses (gateway-lab env)" load_env || ! load_env; then
        echo "interop: the lab did not come up; nothing else can run"
    else
        note "client $PMLAB_CLIENT_IP -> gateway $PMLAB_GW_LAN_IP -> external $PMLAB_EXTERNAL_IP, WAN host $PMLAB_WAN_HOST_IP"
        for s in "${run[@]}"; do
            note "suite $s"
            "suite_$s"
        done
    fi
    note "end"
    if [[ $LAB_END == down ]]; then
        step "lab down" lab down
    else
        step "lab left up with its defaults" lab_up
    fi
    FINISHED=1
    note "took $((SECONDS - START)) s"
    echo "interop: $PASSED passed, $FAILED failed"
    ((FAILED == 0))
}

main "$@"
