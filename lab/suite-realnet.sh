# shellcheck shell=bash
#
# suite-realnet.sh — the interop suites "realnet" (issue #12: routers that misbehave as real ones do) and
# "vpn" (issue #13: a ProtonVPN-style NAT-PMP gateway). Sourced by lab/interop.sh, which provides step,
# skip, note, lab, lab_up, load_env, reach, unreachable, dnat_rule, has_dnat, no_dnat, expect_output, re,
# openport, natpmpc, upnpc, wait_for, ROOT, LAB and the PMLAB_* addresses.
#
# Each scenario runs one of our scripted routers (lab/scripted-router.py, `gateway-lab router start`) in
# place of miniupnpd, first proves it with the reference clients (upnpc, natpmpc, the lab's PCP client),
# then runs the openport CLI against it; the WAN host proves what forwards, and the measured time to repair
# is printed as a "# ..." note.

PORT_RN=41200          # realnet: 41200-41259 (one block of ten per scenario; x8/x9: the reference clients)
# natpmpc (libnatpmp 20150609) on a NAT-PMP result 2 (not authorized/refused) and 3 (network failure)
NATPMPC_REFUSED='returned -51 \(FAILED\)|failed : not authorized'
NATPMPC_NETWORK_FAILURE='returned -52 \(FAILED\)|failed : network failure'
RN_DIR=                # per-run files: --keep logs and pids, notes (steps run in subshells: use files)

rn_note() { echo "$*" >>"$RN_DIR/notes"; echo "$*"; }
rn_notes() { # print the notes the last step wrote, as "# ..." lines
    [[ -s $RN_DIR/notes ]] || return 0
    while IFS= read -r line; do note "  $line"; done <"$RN_DIR/notes"
    : >"$RN_DIR/notes"
}

router() { lab router "$@"; }
router_log() { cat "$PMLAB_STATE_DIR/scripted-router.log"; }
# router_event_time REGEX [NTH]: the epoch time of the NTH (default 1st) router log line matching REGEX
router_event_time() { router_log | grep -E -- "$1" | sed -n "${2:-1}p" | cut -d' ' -f1; }
router_has() { router_log | grep -E -- "$1" >/dev/null; }
now() { printf '%s' "${EPOCHREALTIME}"; }
elapsed() { python3 -c 'import sys; print("%.1f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# reach_at HOST PROTO EXT_PORT INT_PORT [SECONDS]: reach, to another router address (renumbering)
reach_at() { local REACH_HOST=$1; shift; reach "$@"; }

# dnat_to PROTO PORT CLIENT: the router forwards PROTO/PORT to CLIENT
dnat_to() {
    local rule
    rule=$(dnat_rule "$1" "$2")
    printf '%s\n' "${rule:-no DNAT rule for $1/$2}"
    grep -qF "dnat ip to $3:" <<<"$rule"
}

# keep_start NAME ARGS...: `openport ARGS` (a map --keep) in the background, its output in $RN_DIR/NAME.log;
# waits for its "mapped" line. The java process's pid goes to $RN_DIR/NAME.pid (the launcher execs java).
keep_start() {
    local name=$1 log pid jpid; shift
    log=$RN_DIR/$name.log
    # OPENPORT_NO_BUILD: the suite builds the CLI before its first step (rn_build); a launcher that rebuilt
    # here, waiting for the Maven lock, would look like a --keep that never mapped
    (cd "$ROOT" && OPENPORT_NO_BUILD=1 exec "$LAB" exec ./openport "$@") >"$log" 2>&1 </dev/null 8>&- &
    pid=$!
    echo "$pid" >"$RN_DIR/$name.wrapper"
    if ! wait_for 40 grep -qE '^mapped |"event" *: *"mapped"' "$log"; then
        echo "no mapping within 40 s:"; cat "$log"; keep_stop "$name" >/dev/null; return 1
    fi
    jpid=$(keep_java "$pid")
    [[ -n $jpid ]] || { echo "the java process of openport $1 $2 $3 was not found"; cat "$log"; return 1; }
    echo "$jpid" >"$RN_DIR/$name.pid"
    grep -E '^mapped ' "$log" || true
}

# keep_java PID: the openport java process PID is or runs below (gateway-lab and ip netns exec exec it, the
# launcher execs java; the chain is walked anyway, in case a step forks on the way)
keep_java() {
    local p=$1 c i
    for ((i = 0; i < 6; i++)); do
        [[ -r /proc/$p/cmdline ]] || return 0
        if tr '\0' ' ' <"/proc/$p/cmdline" | grep "cli/target/openport.jar" >/dev/null; then
            echo "$p"
            return 0
        fi
        c=$(pgrep -P "$p" | head -n 1) || return 0
        p=$c
    done
}

# keep_stop NAME: SIGTERM to the --keep process; waits for it to exit (its cleanup deletes the mappings)
keep_stop() {
    local name=$1 jpid wrapper i
    jpid=$(cat "$RN_DIR/$name.pid" 2>/dev/null) || true
    wrapper=$(cat "$RN_DIR/$name.wrapper" 2>/dev/null) || true
    # a --keep that never said "mapped" has no pid file yet: find its java under the wrapper, so no run
    # leaves a JVM holding mappings behind
    [[ -n $jpid || -z $wrapper ]] || jpid=$(keep_java "$wrapper")
    [[ -n $jpid ]] && kill -TERM "$jpid" 2>/dev/null
    for ((i = 0; i < 200; i++)); do
        [[ -n $wrapper && -e /proc/$wrapper ]] || break
        sleep 0.1
    done
    if [[ -n $wrapper && -e /proc/$wrapper ]]; then
        echo "openport --keep ($name) did not exit within 20 s of SIGTERM"; kill -KILL "$jpid" 2>/dev/null
    fi
    rm -f "$RN_DIR/$name.pid" "$RN_DIR/$name.wrapper"
    cat "$RN_DIR/$name.log"
}

# keep_stop_clean NAME PROTO PORT: SIGTERM removes the mapping from the router
keep_stop_clean() {
    keep_stop "$1"
    no_dnat "$2" "$3" && return 0
    echo "router log (no GET/SSDP lines):"
    router_log | grep -vE ' soap action=Get| ssdp ' | tail -n 25
    return 1
}

# poll_repair DESCRIPTION LIMIT_S SINCE_EPOCH CMD...: poll CMD until it succeeds (at most LIMIT_S s from
# now); note the time from SINCE_EPOCH to success as the time to repair (DESCRIPTION says from what to what)
poll_repair() {
    local desc=$1 limit=$2 since=$3 t; shift 3
    if ! wait_for "$limit" "$@" >/dev/null 2>&1; then
        "$@"
        echo "$desc: not repaired within $limit s"
        return 1
    fi
    t=$(elapsed "$since" "$(now)")
    rn_note "time to repair, $desc: $t s"
}

# rn_cleanup: stop every --keep process still running (an aborted run); interop's exit trap calls it
rn_cleanup() {
    local f
    [[ -n ${RN_DIR:-} && -d $RN_DIR ]] || return 0
    for f in "$RN_DIR"/*.pid; do
        [[ -e $f ]] && keep_stop "$(basename "$f" .pid)" >/dev/null 2>&1
    done
    [[ ! -d $RN_DIR/diag ]] || diag_stop >/dev/null 2>&1 # the zombie's echo service, after an aborted run
    rm -rf "$RN_DIR"
    RN_DIR=
}

# --- the scenarios -----------------------------------------------------------------------------------------
suite_realnet() {
    RN_DIR=$(mktemp -d)
    : >"$RN_DIR/notes"
    local s
    # built (and its class-data archive made) here, not inside a timed --keep step
    step "realnet: the CLI is built (openport --version)" openport --version || return 0
    for s in ${INTEROP_REALNET:-half-open dropper lease0 renumber lan-change zombie}; do
        "realnet_${s//-/_}"
    done
    rn_cleanup
    step "scripted router stopped, miniupnpd back with the lab's defaults" router stop
    load_env
}

# shellcheck source=lab/suite-realnet-scenarios.sh
source "$ROOT/lab/suite-realnet-scenarios.sh"
# shellcheck source=lab/suite-vpn.sh
source "$ROOT/lab/suite-vpn.sh"
