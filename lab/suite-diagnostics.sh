# shellcheck shell=bash
#
# suite-diagnostics.sh — the interop suite's "diagnostics" suite (issue #9): `openport check`
# against the lab. Sourced by lab/interop.sh, which provides step, note, lab, lab_up, openport,
# expect_output, with_lock, wait_for, ROOT, MVN_LOCK and the PMLAB_* addresses.
#
# On the WAN host (203.0.113.2) it starts a test fixture from diagnostics' test classes and openport's own
# echo service:
#   - MyIpDnsResponder (dnsjava message classes): a "what is my IP" DNS server on UDP port
#     $DIAG_DNS_PORT that answers any A question with the querier's source address; the lab
#     router masquerades the client, so it answers the router's real WAN address 203.0.113.1;
#   - the reachability echo service of `check --echo`, the one openport ships (`openport echo-service`), on
#     TCP port $DIAG_ECHO_PORT.
# Then:
#   - lab defaults: check says the router's external address and the DNS answer agree, and the
#     echo service's packet arrives through a mapping check made;
#   - up --external-ip 100.64.0.1 (the router believes it is behind CGNAT): check names CGNAT;
#   - up --external-ip 192.168.77.2 (a private external address = a router behind a router):
#     check names double NAT;
#   - the lab is restored to its defaults and the fixtures are stopped.

DIAG_DNS_PORT=5353      # UDP, on the WAN host
DIAG_ECHO_PORT=7777     # TCP, on the WAN host
PORT_DIAG=41051         # check 41051/tcp --echo, 41052/udp
DIAG_LOG=               # the fixtures' logs and pids; set by suite_diagnostics (step runs each
                        # command in a subshell, so nothing a step sets survives it: use files)

# diag_classpath: core's and diagnostics' classes, diagnostics' test classes, dnsjava and slf4j-api from ~/.m2
diag_classpath() {
    local m2=${MAVEN_REPO:-$HOME/.m2/repository} v_dns v_slf4j
    v_dns=$(sed -n 's:.*<dnsjava.version>\(.*\)</dnsjava.version>.*:\1:p' "$ROOT/pom.xml")
    v_slf4j=$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$ROOT/pom.xml")
    printf '%s' "$ROOT/core/target/classes:$ROOT/diagnostics/target/classes:$ROOT/diagnostics/target/test-classes"
    printf ':%s' "$m2/dnsjava/dnsjava/$v_dns/dnsjava-$v_dns.jar" "$m2/org/slf4j/slf4j-api/$v_slf4j/slf4j-api-$v_slf4j.jar"
}

# diag_build: diagnostics' test classes (the fixtures), compiled offline under the Maven lock
diag_build() {
    (cd "$ROOT" && with_lock "$MVN_LOCK" mvn -B -q -o -pl diagnostics -am test-compile) || return
    local cp f
    cp=$(diag_classpath)
    for f in ${cp//:/ }; do
        [[ -e $f ]] || { echo "missing $f"; return 1; }
    done
    [[ -f $ROOT/diagnostics/target/test-classes/dev/openport/diagnostics/MyIpDnsResponder.class ]]
}

# diag_start: both fixtures in the background on the WAN host; waits until they listen
diag_start() {
    local cp
    cp=$(diag_classpath)
    # "$LAB" itself, not the lab function: a backgrounded simple command is exec'd, so $! is the
    # process that becomes java (gateway-lab and ip netns exec exec it); fd 8 (interop's lab
    # lock) is not inherited
    "$LAB" wan java -cp "$cp" dev.openport.diagnostics.MyIpDnsResponder "$PMLAB_WAN_HOST_IP" "$DIAG_DNS_PORT" \
        >"$DIAG_LOG/dns.log" 2>&1 </dev/null 8>&- &
    echo "$!" >>"$DIAG_LOG/wrapper.pids"
    diag_echo_service "$PMLAB_WAN_HOST_IP:$DIAG_ECHO_PORT"
    wait_for 20 grep -q "myip DNS responder on" "$DIAG_LOG/dns.log" \
        && wait_for 20 grep -q "echo service listening on" "$DIAG_LOG/echo.log" \
        || { cat "$DIAG_LOG"/*.log; return 1; }
    cat "$DIAG_LOG"/*.log
}

# diag_echo_service ADDRESS:PORT: the shipped echo service (`openport echo-service`, the one users run on a host
# outside their network) in the background on the WAN host. It answers only requests to reach the requester
# itself: the lab's client is masqueraded to the router's WAN address and asks for exactly that (IPv6: its own
# address, no NAT). The launcher and ip netns exec exec java, so $! is the service's JVM.
diag_echo_service() {
    # built first (a launcher building in the background would outlast the readiness wait)
    (cd "$ROOT" && "$LAB" wan ./openport --version >/dev/null 2>&1)
    (cd "$ROOT" && OPENPORT_NO_BUILD=1 exec "$LAB" wan ./openport echo-service --listen "$1") \
        >"$DIAG_LOG/echo.log" 2>&1 </dev/null 8>&- &
    echo "$!" >>"$DIAG_LOG/wrapper.pids"
}

# diag_start_echo ADDRESS: the echo service alone on the WAN host's ADDRESS (the ipv6 suite passes
# its IPv6 address); waits until it listens
diag_start_echo() {
    local at=$1
    [[ $at != *:* ]] || at="[$at]"
    diag_echo_service "$at:$DIAG_ECHO_PORT"
    wait_for 20 grep -q "echo service listening on" "$DIAG_LOG/echo.log" || { cat "$DIAG_LOG"/*.log; return 1; }
    cat "$DIAG_LOG/echo.log"
}

# diag_stop: the fixtures this suite started, by the pids they printed (and their wrappers)
diag_stop() {
    local pid java_pids=() wrappers=() left=()
    [[ -n $DIAG_LOG && -d $DIAG_LOG ]] || return 0
    # each fixture prints its own pid ("... pid N"): the java process itself, whatever forked on the way
    mapfile -t java_pids < <(sed -n 's/.* pid \([0-9][0-9]*\)$/\1/p' "$DIAG_LOG"/*.log 2>/dev/null)
    [[ ! -f $DIAG_LOG/wrapper.pids ]] || mapfile -t wrappers <"$DIAG_LOG/wrapper.pids"
    for pid in "${java_pids[@]}" "${wrappers[@]}"; do
        kill "$pid" 2>/dev/null
    done
    # (a wrapper pid may be the JVM itself: the echo service's launcher chain execs all the way down)
    for pid in "${java_pids[@]}" "${wrappers[@]}"; do
        wait_for 5 sh -c '! kill -0 "$1" 2>/dev/null' sh "$pid" || left+=("$pid")
    done
    ((${#left[@]} == 0)) || { echo "fixtures still running: ${left[*]}"; return 1; }
    echo "stopped ${java_pids[*]}"
    rm -rf "$DIAG_LOG"
}

# expect_check RC ERE ARGS...: `openport check ARGS...` exits RC and prints a line matching ERE
expect_check() {
    local want=$1 re=$2 out rc; shift 2
    out=$(openport check "$@" 2>&1)
    rc=$?
    out=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$out")
    printf '%s\n' "$out"
    ((rc == want)) || { echo "(exit status $rc, expected $want)"; return 1; }
    grep -qE -- "$re" <<<"$out" || { echo "(no line matches: $re)"; return 1; }
}

# diag_all_answered ARGS...: in `check ARGS... --json`, every protocol answered, with millis
diag_all_answered() {
    local out p
    out=$(openport check "$@" 2>&1)
    printf '%s\n' "$out"
    for p in pcp natpmp upnp; do
        grep -qE "\"protocol\":\"$p\",\"name\":\"[^\"]*\",\"answered\":true,\"millis\":[0-9]+" <<<"$out" \
            || { echo "($p did not answer)"; return 1; }
    done
}

suite_diagnostics() {
    local resolver=$PMLAB_WAN_HOST_IP:$DIAG_DNS_PORT echo=$PMLAB_WAN_HOST_IP:$DIAG_ECHO_PORT
    DIAG_LOG=$(mktemp -d /tmp/openport-diag.XXXXXX) || return
    step "build the diagnostics fixtures (diagnostics test classes)" diag_build || return
    step "start the what-is-my-IP DNS responder and the echo service on the WAN host" diag_start \
        || { diag_stop; return; }
    step "check: the router's external address agrees with what the WAN host's DNS sees" \
        expect_check 0 "^agree: .*\(router $(re "$PMLAB_EXTERNAL_IP"), internet $(re "$PMLAB_EXTERNAL_IP")\)" \
        --resolver "$resolver"
    step "check --json: finding agree, agrees true" \
        expect_check 0 '"agrees":true,"finding":"agree"' --resolver "$resolver" --json
    step "check --json: PCP, NAT-PMP and UPnP each answered, with a round-trip time" \
        diag_all_answered --resolver "$resolver" --json
    step "check $PORT_DIAG/tcp --echo: mapped, read back, the echo service's packet arrived" \
        expect_check 0 "^reachability tcp: proven" "$PORT_DIAG/tcp" --resolver "$resolver" --echo "$echo"
    step "check $((PORT_DIAG + 1))/udp --echo: the echo service's datagram arrived" \
        expect_check 0 "^reachability udp: proven" "$((PORT_DIAG + 1))/udp" --resolver "$resolver" --echo "$echo"
    step "check without --echo says plainly that reachability was not proven" \
        expect_check 0 "^reachability: not proven" --resolver "$resolver"
    step "lab up --external-ip 100.64.0.1 (the router is behind CGNAT)" lab_up --external-ip 100.64.0.1
    step "check names CGNAT (external 100.64.0.1, internet sees $PMLAB_GW_WAN_IP) and advises" \
        expect_check 1 "^cgnat: carrier-grade NAT" --resolver "$resolver"
    step "check --json: finding cgnat, addressClass cgnat, agrees false" \
        expect_check 1 '"addressClass":"cgnat".*"agrees":false,"finding":"cgnat"' --resolver "$resolver" --json
    step "lab up --external-ip 192.168.77.2 (a router behind another router)" lab_up --external-ip 192.168.77.2
    step "check names double NAT (private external address) and suggests bridge mode" \
        expect_check 1 "^double-nat: double NAT" --resolver "$resolver"
    step "lab back to its defaults" lab_up
    step "stop the DNS responder and the echo service" diag_stop
}
