#!/usr/bin/env bash
# Lab interop check of OpenPort.map (issue #5) with the GameServer example, against the gateway lab's real
# miniupnpd (as root):
#   1. the example maps its TCP port from the LAN client; the WAN host reaches it through the router;
#   2. `gateway-lab restart` (a router reboot: mappings flushed, epoch back to 0); the WAN host reaches the
#      port again within 2 s of the restart returning (the daemon answering);
#   3. the example closes its ManagedMapping; the router's table is empty and the port unreachable.
# Usage: bash examples/lab-game-server.sh   (takes /tmp/openport-lab.lock itself)
# Env:   OPENPORT_CP  class path with core + protocol modules (default: cli/target/openport.jar)
#        PORT (25565), CHECK (check interval, s; default 1), RUN (seconds the server runs; default 20)
#        UP_OPTS  options for `gateway-lab up`, e.g. "--protocols upnp" (the lab is put back to its defaults
#                 afterwards)
#        RESTART_OPTS  options for the `gateway-lab restart` of step 2 (default: UP_OPTS); e.g.
#                 "--protocols upnp --unsupported drop" turns a PCP router into a UPnP-only one whose port
#                 5351 is silent: the mapping must fail over to UPnP
#        WITHIN   how soon after the restart the port must be reachable again, ms (default 2000)
#        STOP=term  stop the server with SIGTERM instead of letting it close the mapping itself: the JVM
#                 shutdown hook must delete the mapping
#        UDP_TOO=1  map UDP too (one OpenPort.map call); the router must list both and then neither
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ -z "${OPENPORT_LAB_LOCKED:-}" ]; then
    exec env OPENPORT_LAB_LOCKED=1 flock /tmp/openport-lab.lock bash "$0" "$@"
fi
LAB="bash $root/lab/gateway-lab"
CP=${OPENPORT_CP:-$root/cli/target/openport.jar}
PORT=${PORT:-25565}
CHECK=${CHECK:-1}
RUN=${RUN:-20}
WAN_TARGET=203.0.113.1
log=$(mktemp /tmp/openport-game-XXXXXX.log)
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
now_ms() { date +%s%3N; }
reach() { $LAB wan sh -c "echo hi | timeout 2 nc -N -w 1 $WAN_TARGET $PORT" 2>/dev/null | grep -q "hello from"; }

UP_OPTS=${UP_OPTS:-}
RESTART_OPTS=${RESTART_OPTS:-$UP_OPTS}
WITHIN=${WITHIN:-2000}
STOP=${STOP:-}
UDP_TOO=${UDP_TOO:-}
extra=()
[ -n "$UDP_TOO" ] && extra+=(--udp-too)
[ "$STOP" = term ] && RUN=600
# shellcheck disable=SC2086
$LAB up $UP_OPTS >/dev/null || { echo "lab does not come up"; exit 1; }
[ -n "$RESTART_OPTS" ] && trap '$LAB up >/dev/null' EXIT
# shellcheck disable=SC2086
$LAB restart $UP_OPTS >/dev/null # start from an empty table

$LAB exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=info -cp "$CP" "$here/GameServer.java" "$PORT" \
    --check "$CHECK" --seconds "$RUN" "${extra[@]}" >"$log" 2>&1 &
server=$!
end=$(( $(now_ms) + 20000 ))
until grep -q "players connect to" "$log" || [ "$(now_ms)" -gt "$end" ] || ! kill -0 $server 2>/dev/null; do
    sleep 0.1
done
if grep -q "players connect to" "$log"; then ok "mapped: $(grep -m1 'players connect to' "$log")"; else
    bad "no mapping; log:"; cat "$log"; wait $server; exit 1; fi

if reach; then ok "WAN host reaches $WAN_TARGET:$PORT"; else bad "WAN host cannot reach $WAN_TARGET:$PORT"; fi
rules() { $LAB status 2>/dev/null | sed -n '/^mappings/,/^logs/p' | grep -v '^mappings\|^logs\|(none)'; }
if [ -n "$UDP_TOO" ]; then
    if rules | grep -qi udp && rules | grep -qi tcp; then ok "router lists TCP and UDP"; else
        bad "router does not list TCP and UDP:"; rules; fi
fi

# shellcheck disable=SC2086
$LAB restart $RESTART_OPTS >/dev/null
t0=$(now_ms)
until reach || [ $(( $(now_ms) - t0 )) -gt $((WITHIN + 3000)) ]; do sleep 0.1; done
took=$(( $(now_ms) - t0 ))
if reach && [ "$took" -le "$WITHIN" ]; then ok "reachable again $took ms after the router restart";
else bad "not reachable within $WITHIN ms of the router restart (took $took ms)"; fi

if [ "$STOP" = term ]; then
    # gateway-lab exec execs its way down to java, so the job we started is (or contains) the java process:
    # find it by parent ids and signal it by id
    descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
    jpid=$(for p in $server $(descendants $server); do [ "$(ps -o comm= -p "$p")" = java ] && echo "$p"; done | head -1)
    if [ -n "$jpid" ]; then kill -TERM "$jpid"; fi
    wait $server
    rc=$?
    if [ -n "$jpid" ] && [ $rc -ne 0 ]; then ok "server stopped by SIGTERM (exit $rc)"; else
        bad "could not SIGTERM the server (java pid '${jpid}', exit $rc)"; fi
else
    wait $server
    rc=$?
    if [ $rc -eq 0 ] && grep -q "mapping closed" "$log"; then ok "server closed its mapping and exited"; else
        bad "server exit $rc"; fi
fi
if $LAB status 2>/dev/null | sed -n '/^mappings/,/^logs/p' | grep -q "(none)"; then ok "router table empty after the server stopped";
else bad "router still has mappings:"; $LAB status | sed -n '/^mappings/,/^logs/p'; fi
if reach; then bad "still reachable after the server stopped"; else ok "unreachable after the server stopped"; fi

echo "--- server log ($log)"; cat "$log"
echo "lab-game-server: $pass passed, $fail failed"
[ $fail -eq 0 ]
