#!/usr/bin/env bash
# bench/lab-compare.sh [N] — openport's CLI against the reference clients, in the gateway lab (issue #8).
#
# Run as root from anywhere: `sudo bench/lab-compare.sh` (N pairs per comparison, default 20). For each
# comparison it alternates A B A B ...: A = openport's CLI `map P/tcp` then `unmap P/tcp`, B = the reference
# client's add then delete, on a fresh port each pair, all inside the lab's LAN host. It prints the median wall
# time of each step and the ratio ours/theirs, as a Markdown table:
#
#   upnp       openport --protocol upnp (SSDP)          vs  upnpc -i -a / -d (SSDP discovery, ~2 s each)
#   upnp-url   openport --protocol upnp --upnp-url URL   vs  upnpc -i -u URL -a / -d (no discovery)
#   natpmp     openport --protocol natpmp -g GW          vs  natpmpc -g GW -a P P tcp 3600 / lifetime 0
#   pcp        openport --protocol pcp -g GW             vs  the lab's PCP client (/usr/bin/python3 pmlab_helper.py pcp, as `gateway-lab pcp` runs it)
#
# and the floors every row contains: entering the namespace (`ip netns exec ... true`) and the JVM + CLI start
# (`openport --version`, with and without the AppCDS archive). Every command is timed from the outside with
# bash's $EPOCHREALTIME, as `ip netns exec pmlab-client CMD` (what `gateway-lab exec` does, minus its own
# bash start-up, so neither side pays for the lab script). A step that fails is reported and not counted.
#
# It holds the lab lock (/tmp/openport-lab.lock, or $OPENPORT_LAB_LOCK) for the whole run, brings the lab `up`
# with its defaults, and leaves it up. The CLI jar is built first if it is stale (./openport does that, under
# the Maven lock); the timed runs use OPENPORT_NO_BUILD=1 so no staleness check is timed.
# Environment: BENCH_ONLY="upnp natpmp ..." to run a subset; BENCH_STATE_DIR for the CLI's state file.
set -euo pipefail

N=${1:-20}
[[ $N =~ ^[0-9]+$ && $N -ge 1 ]] || { echo "usage: $0 [pairs>=1]" >&2; exit 64; }
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
lab=$root/lab/gateway-lab
ns=pmlab-client
gw=198.18.0.1
client=198.18.0.2
url=http://198.18.0.1:2869/rootDesc.xml
only=${BENCH_ONLY:-floor upnp upnp-url natpmp pcp}
[[ $EUID -eq 0 ]] || { echo "$0: run as root (the lab uses network namespaces)" >&2; exit 1; }

# build (and record the CDS archive) before taking the lab lock: Maven has its own lock
OPENPORT_NO_BUILD=0 "$root/openport" --version >/dev/null

exec 8>>"${OPENPORT_LAB_LOCK:-/tmp/openport-lab.lock}"
flock 8
"$lab" up >/dev/null
helper=/run/pmlab-gateway-lab/pmlab_helper.py
"$lab" pcp tcp 9 --lifetime 0 >/dev/null 2>&1 || true   # writes the helper if the lab has not yet
[[ -f $helper ]] || { echo "$0: lab PCP helper $helper missing" >&2; exit 1; }

if [[ -n ${BENCH_STATE_DIR:-} ]]; then
    state=$BENCH_STATE_DIR/bench-state.json
else
    tmpdir=$(mktemp -d)
    trap 'rm -rf "$tmpdir"' EXIT
    state=$tmpdir/bench-state.json
fi
export OPENPORT_NO_BUILD=1
ours=("$root/openport")
declare -A T   # T[name] = space-separated microsecond samples
fails=()

# run NAME EXPECT CMD... : time CMD in the LAN namespace; record it under NAME when it succeeds and its output
# contains EXPECT (a regex; "" = exit status only)
run() {
    local name=$1 expect=$2 out rc t0 t1
    shift 2
    t0=${EPOCHREALTIME/./}
    set +e
    out=$(ip netns exec "$ns" "$@" 2>&1)
    rc=$?
    set -e
    t1=${EPOCHREALTIME/./}
    if [[ $rc -ne 0 ]] || { [[ -n $expect ]] && ! grep -Eq "$expect" <<<"$out"; }; then
        fails+=("$name (exit $rc): $(tail -n 2 <<<"$out" | tr '\n' ' ')")
        return 0
    fi
    T[$name]+="$((t1 - t0)) "
}

median() { # microsecond samples -> median in ms with 1 decimal, or "-"
    local s=${T[$1]:-}
    [[ -z $s ]] && { echo "-"; return; }
    tr ' ' '\n' <<<"$s" | grep . | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}
count() { local s=${T[$1]:-}; wc -w <<<"$s" | tr -d ' '; }
sum_median() { # median of per-pair sums of two series (map + unmap of the same pair)
    local a=(${T[$1]:-}) b=(${T[$2]:-}) i out=""
    [[ ${#a[@]} -eq 0 || ${#a[@]} -ne ${#b[@]} ]] && { echo "-"; return; }
    for i in "${!a[@]}"; do out+="$((a[i] + b[i])) "; done
    T[__sum]=$out
    median __sum
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

ok_ours='^mapped '
ok_unmap='^removed '
for what in $only; do
    for ((i = 0; i < N; i++)); do
        case $what in
        floor)
            run floor.ns "" true
            run floor.cds "" "${ours[@]}" --version
            OPENPORT_NO_CDS=1 run floor.nocds "" "${ours[@]}" --version
            ;;
        upnp)
            p=$((43000 + i))
            run upnp.ours.map "$ok_ours" "${ours[@]}" map $p/tcp --protocol upnp --lifetime 1h --state-file "$state"
            run upnp.ours.del "$ok_unmap" "${ours[@]}" unmap $p/tcp --protocol upnp --state-file "$state"
            run upnp.theirs.map "is redirected to" upnpc -i -a $client $p $p TCP 3600
            run upnp.theirs.del "UPNP_DeletePortMapping\(\) returned : 0" upnpc -i -d $p TCP
            ;;
        upnp-url)
            p=$((44000 + i))
            run upnp-url.ours.map "$ok_ours" "${ours[@]}" map $p/tcp --protocol upnp --upnp-url $url --lifetime 1h \
                --state-file "$state"
            run upnp-url.ours.del "$ok_unmap" "${ours[@]}" unmap $p/tcp --protocol upnp --upnp-url $url \
                --state-file "$state"
            run upnp-url.theirs.map "is redirected to" upnpc -i -u $url -a $client $p $p TCP 3600
            run upnp-url.theirs.del "UPNP_DeletePortMapping\(\) returned : 0" upnpc -i -u $url -d $p TCP
            ;;
        natpmp)
            p=$((45000 + i))
            run natpmp.ours.map "$ok_ours" "${ours[@]}" map $p/tcp --protocol natpmp -g $gw --lifetime 1h \
                --state-file "$state"
            run natpmp.ours.del "$ok_unmap" "${ours[@]}" unmap $p/tcp --protocol natpmp -g $gw --state-file "$state"
            run natpmp.theirs.map "Mapped public port $p" natpmpc -g $gw -a $p $p tcp 3600
            run natpmp.theirs.del "to local port $p liftime 0" natpmpc -g $gw -a $p $p tcp 0
            ;;
        pcp)
            p=$((46000 + i))
            nonce=$(printf '%024x' $((0xbe0c0000 + i)))
            run pcp.ours.map "$ok_ours" "${ours[@]}" map $p/tcp --protocol pcp -g $gw --lifetime 1h --state-file "$state"
            run pcp.ours.del "$ok_unmap" "${ours[@]}" unmap $p/tcp --protocol pcp -g $gw --state-file "$state"
            run pcp.theirs.map "result=0 " /usr/bin/python3 "$helper" pcp $gw $client tcp $p --external-port $p \
                --lifetime 3600 --nonce "$nonce"
            run pcp.theirs.del "result=0 " /usr/bin/python3 "$helper" pcp $gw $client tcp $p --external-port $p \
                --lifetime 0 --nonce "$nonce"
            ;;
        *) echo "$0: unknown comparison '$what'" >&2; exit 64 ;;
        esac
    done
done

printf '\ngateway lab, %s pairs alternating A B A B; %s, %s CPUs, %s; median wall ms per command\n\n' "$N" \
    "$(uname -r)" "$(nproc)" "$(java -version 2>&1 | head -n 1)"
if [[ " $only " == *" floor "* ]]; then
    printf '| floor | median ms | runs |\n|---|---:|---:|\n'
    printf '| ip netns exec true | %s | %s |\n' "$(median floor.ns)" "$(count floor.ns)"
    printf '| openport --version (JVM + CLI start, AppCDS) | %s | %s |\n' "$(median floor.cds)" "$(count floor.cds)"
    printf '| openport --version without CDS (OPENPORT_NO_CDS=1) | %s | %s |\n\n' "$(median floor.nocds)" \
        "$(count floor.nocds)"
fi
printf '| protocol | ours map | theirs add | ratio map ours/theirs | ours map+unmap | theirs add+delete | ratio total | pairs ok |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
declare -A theirs_name=([upnp]="upnpc -i (SSDP)" [upnp-url]="upnpc -i -u URL" [natpmp]="natpmpc -g" \
    [pcp]="lab python PCP client")
for what in $only; do
    [[ $what == floor ]] && continue
    om=$(median $what.ours.map)
    tm=$(median $what.theirs.map)
    ot=$(sum_median $what.ours.map $what.ours.del)
    tt=$(sum_median $what.theirs.map $what.theirs.del)
    printf '| %s vs %s | %s | %s | %s | %s | %s | %s | %s/%s |\n' "$what" "${theirs_name[$what]}" "$om" "$tm" \
        "$(ratio "$om" "$tm")" "$ot" "$tt" "$(ratio "$ot" "$tt")" "$(count $what.ours.map)" "$(count $what.theirs.map)"
done
if ((${#fails[@]})); then
    printf '\n%d failed step(s), not counted:\n' "${#fails[@]}"
    printf '  %s\n' "${fails[@]}"
fi
