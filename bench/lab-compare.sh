#!/usr/bin/env bash
# bench/lab-compare.sh [N] — openport's CLI against the reference clients and the JVM floor, in the gateway lab.
#
# Run as root: `sudo bench/lab-compare.sh` (N rounds, default 20). Each round runs every variant once, in turn
# (A B C ... A B C ...), each map+unmap pair on a fresh port, all inside the lab's LAN namespace; the script prints
# the median wall time of each variant and its ratio to the reference, as Markdown tables:
#
#   floor    bare JVM hello world (java -cp DIR Hello)  vs  java -jar openport.jar --version  vs  bin/openport --version
#            (the distribution's launcher: static AppCDS on JDK 17, AOT cache on JDK 25+), and `ip netns exec true`
#   upnp     the lab router with UPnP only (`gateway-lab up --protocols upnp`); openport with no --protocol, as a
#            user types it: java -jar with the LOCATION remembered from an earlier run (the CLI's state directory),
#            java -jar --no-cache (an SSDP search every time), the launcher (remembered)
#            vs  upnpc -a / -d (SSDP discovery each time) and upnpc -u URL (no discovery)
#   natpmp   the lab router with its defaults; openport --protocol natpmp -g GW, java -jar and the launcher
#            vs  natpmpc -g GW -a P P tcp 3600 / lifetime 0
#
# Every command is timed from the outside with bash's $EPOCHREALTIME as `ip netns exec pmlab-client CMD`. A step
# whose output lacks its success line is reported and not counted. The 1-minute load average before and after
# the run is printed: the machine may be shared. Holds the lab lock (/tmp/openport-lab.lock, or
# $OPENPORT_LAB_LOCK) for the whole run and leaves the lab up with its defaults.
# Environment: BENCH_ONLY="floor upnp natpmp" (a subset); JAVA (the JDK under test, default java on PATH).
set -euo pipefail

N=${1:-20}
[[ $N =~ ^[0-9]+$ && $N -ge 1 ]] || { echo "usage: $0 [rounds>=1]" >&2; exit 64; }
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
lab=$root/lab/gateway-lab
ns=pmlab-client
gw=198.18.0.1
client=198.18.0.2
url=http://198.18.0.1:2869/rootDesc.xml
only=${BENCH_ONLY:-floor upnp natpmp}
java=${JAVA:-java}
[[ $EUID -eq 0 ]] || { echo "$0: run as root (the lab uses network namespaces)" >&2; exit 1; }

dist=$(ls "$root"/cli/target/openport-*.tar.gz 2>/dev/null | head -n 1)
jar=$root/cli/target/openport.jar
[[ -f $dist && -f $jar ]] || { echo "$0: build first: mvn -o -pl cli -am -DskipTests package" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$dist" -C "$tmp"
launcher=$(echo "$tmp"/openport-*/bin/openport)
jar=$(echo "$tmp"/openport-*/lib/openport.jar)   # the same jar, safe from a rebuild during the run
export OPENPORT_CACHE_DIR=$tmp/cache JAVA=$java
mkdir -p "$tmp/hello" "$tmp/state-remembered" "$tmp/state-nocache" "$tmp/state-launcher" "$tmp/state-natpmp"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' \
    >"$tmp/hello/Hello.java"
"${java%java}javac" -d "$tmp/hello" "$tmp/hello/Hello.java" 2>/dev/null || javac -d "$tmp/hello" "$tmp/hello/Hello.java"
"$launcher" --version >/dev/null   # makes the class-data archive (a training run on loopback), untimed

exec 8>>"${OPENPORT_LAB_LOCK:-/tmp/openport-lab.lock}"
flock 8
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A T   # T[name] = space-separated microsecond samples
fails=()
# run NAME EXPECT CMD... : time CMD in the LAN namespace; keep the sample when it succeeds and prints EXPECT
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
median() { # samples -> median ms (1 decimal), or "-"
    local s=${T[$1]:-}
    [[ -z $s ]] && { echo "-"; return; }
    tr ' ' '\n' <<<"$s" | grep . | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}
count() { local s=${T[$1]:-}; wc -w <<<"$s" | tr -d ' '; }
pair() { # NAME: per-round sums of NAME.map + NAME.del, as their own series
    local a=(${T[$1.map]:-}) b=(${T[$1.del]:-}) i out=""
    if [[ ${#a[@]} -gt 0 && ${#a[@]} -eq ${#b[@]} ]]; then
        for i in "${!a[@]}"; do out+="$((a[i] + b[i])) "; done
    fi
    T[$1.sum]=$out
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

jj=("$java" -jar "$jar")
ok_map='^mapped '
ok_unmap='^removed '
ok_upnpc_add='is redirected to'
ok_upnpc_del='UPNP_DeletePortMapping\(\) returned : 0'

if [[ " $only " == *" floor "* ]]; then
    for ((i = 0; i < N; i++)); do
        run floor.ns "" true
        run floor.hello "^hello" "$java" -cp "$tmp/hello" Hello
        run floor.jar "^openport " "${jj[@]}" --version
        run floor.launcher "^openport " "$launcher" --version
        run floor.jarhelp "Usage: openport" "${jj[@]}" --help
        run floor.jarmaphelp "Usage: openport map" "${jj[@]}" map --help
    done
fi

if [[ " $only " == *" upnp "* ]]; then
    "$lab" up --protocols upnp >/dev/null
    # remember the LOCATION once (what a user's first run does), untimed
    ip netns exec "$ns" "${jj[@]}" external-ip --state-file "$tmp/state-remembered/m.json" >/dev/null 2>&1 || true
    ip netns exec "$ns" "$launcher" external-ip --state-file "$tmp/state-launcher/m.json" >/dev/null 2>&1 || true
    for ((i = 0; i < N; i++)); do
        p=$((43000 + i * 5))
        run upnp.jar.map "$ok_map" "${jj[@]}" map $p/tcp --lifetime 1h --state-file "$tmp/state-remembered/m.json"
        run upnp.jar.del "$ok_unmap" "${jj[@]}" unmap $p/tcp --state-file "$tmp/state-remembered/m.json"
        run upnp.nocache.map "$ok_map" "${jj[@]}" map $((p + 1))/tcp --lifetime 1h --no-cache \
            --state-file "$tmp/state-nocache/m.json"
        run upnp.nocache.del "$ok_unmap" "${jj[@]}" unmap $((p + 1))/tcp --no-cache \
            --state-file "$tmp/state-nocache/m.json"
        run upnp.launcher.map "$ok_map" "$launcher" map $((p + 2))/tcp --lifetime 1h \
            --state-file "$tmp/state-launcher/m.json"
        run upnp.launcher.del "$ok_unmap" "$launcher" unmap $((p + 2))/tcp --state-file "$tmp/state-launcher/m.json"
        run upnp.upnpc.map "$ok_upnpc_add" upnpc -i -a $client $((p + 3)) $((p + 3)) TCP 3600
        run upnp.upnpc.del "$ok_upnpc_del" upnpc -i -d $((p + 3)) TCP
        run upnp.upnpcurl.map "$ok_upnpc_add" upnpc -i -u $url -a $client $((p + 4)) $((p + 4)) TCP 3600
        run upnp.upnpcurl.del "$ok_upnpc_del" upnpc -i -u $url -d $((p + 4)) TCP
    done
    for v in jar nocache launcher upnpc upnpcurl; do pair upnp.$v; done
fi

if [[ " $only " == *" natpmp "* ]]; then
    "$lab" up >/dev/null
    for ((i = 0; i < N; i++)); do
        p=$((45000 + i * 3))
        st=$tmp/state-natpmp/m.json
        run natpmp.jar.map "$ok_map" "${jj[@]}" map $p/tcp --protocol natpmp -g $gw --lifetime 1h --state-file "$st"
        run natpmp.jar.del "$ok_unmap" "${jj[@]}" unmap $p/tcp --protocol natpmp -g $gw --state-file "$st"
        run natpmp.launcher.map "$ok_map" "$launcher" map $((p + 1))/tcp --protocol natpmp -g $gw --lifetime 1h \
            --state-file "$st"
        run natpmp.launcher.del "$ok_unmap" "$launcher" unmap $((p + 1))/tcp --protocol natpmp -g $gw \
            --state-file "$st"
        run natpmp.natpmpc.map "Mapped public port $((p + 2))" natpmpc -g $gw -a $((p + 2)) $((p + 2)) tcp 3600
        run natpmp.natpmpc.del "liftime 0" natpmpc -g $gw -a $((p + 2)) $((p + 2)) tcp 0
    done
    for v in jar launcher natpmpc; do pair natpmp.$v; done
fi
"$lab" up >/dev/null   # leave it with its defaults
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

printf '\ngateway lab, %s rounds, variants alternating; %s, %s CPUs, %s; load average before %s, after %s;\n' \
    "$N" "$(uname -r)" "$(nproc)" "$("$java" -version 2>&1 | head -n 1)" "$load_before" "$load_after"
printf 'median wall ms per command (map+unmap: median of the per-round sums)\n\n'
if [[ " $only " == *" floor "* ]]; then
    h=$(median floor.hello)
    printf '| floor | median ms | × bare JVM | runs |\n|---|---:|---:|---:|\n'
    printf '| ip netns exec true | %s | | %s |\n' "$(median floor.ns)" "$(count floor.ns)"
    printf '| bare JVM hello world | %s | 1.00 | %s |\n' "$h" "$(count floor.hello)"
    for v in jar:"java -jar openport.jar --version" launcher:"bin/openport --version (launcher, archive)" \
        jarhelp:"java -jar openport.jar --help" jarmaphelp:"java -jar openport.jar map --help"; do
        printf '| %s | %s | %s | %s |\n' "${v#*:}" "$(median floor.${v%%:*})" "$(ratio "$(median floor.${v%%:*})" "$h")" \
            "$(count floor.${v%%:*})"
    done
    echo
fi
if [[ " $only " == *" upnp "* ]]; then
    ref=$(median upnp.upnpc.sum)
    printf '| UPnP-only router | map | unmap | map+unmap | × upnpc -a + -d | rounds ok |\n|---|---:|---:|---:|---:|---:|\n'
    for v in jar:"java -jar openport.jar, LOCATION remembered" nocache:"java -jar openport.jar --no-cache (SSDP)" \
        launcher:"bin/openport (launcher), LOCATION remembered" upnpc:"upnpc -i -a / -d (SSDP)" \
        upnpcurl:"upnpc -i -u URL -a / -d (no discovery)"; do
        k=upnp.${v%%:*}
        printf '| %s | %s | %s | %s | %s | %s |\n' "${v#*:}" "$(median $k.map)" "$(median $k.del)" "$(median $k.sum)" \
            "$(ratio "$(median $k.sum)" "$ref")" "$(count $k.sum)"
    done
    echo
fi
if [[ " $only " == *" natpmp "* ]]; then
    ref=$(median natpmp.natpmpc.sum)
    printf '| NAT-PMP | map | unmap | map+unmap | × natpmpc add + delete | rounds ok |\n|---|---:|---:|---:|---:|---:|\n'
    for v in jar:"java -jar openport.jar --protocol natpmp" launcher:"bin/openport --protocol natpmp" \
        natpmpc:"natpmpc -a (lifetime 3600, then 0)"; do
        k=natpmp.${v%%:*}
        printf '| %s | %s | %s | %s | %s | %s |\n' "${v#*:}" "$(median $k.map)" "$(median $k.del)" "$(median $k.sum)" \
            "$(ratio "$(median $k.sum)" "$ref")" "$(count $k.sum)"
    done
fi
if ((${#fails[@]})); then
    printf '\n%d failed step(s), not counted:\n' "${#fails[@]}"
    printf '  %s\n' "${fails[@]}"
fi
