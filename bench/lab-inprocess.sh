#!/usr/bin/env bash
# bench/lab-inprocess.sh [RUNS] [WARMUP] — in-process, warm-JVM mapping latency per protocol, in the gateway lab.
#
# Run as root: `sudo bench/lab-inprocess.sh` (defaults: 200 timed runs per row after 30 warm-up runs). Runs
# dev.openport.bench.MappingLatencyBench (see its Javadoc) in the lab's LAN host with the bench jar, holding the
# lab lock, and leaves the lab up with its defaults. Builds bench/target/benchmarks.jar first if it is missing
# (offline Maven, under the Maven lock; core and the protocol modules must be installed in ~/.m2).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
jar=$root/bench/target/benchmarks.jar
[[ $EUID -eq 0 ]] || { echo "$0: run as root (the lab uses network namespaces)" >&2; exit 1; }
if [[ ! -f $jar ]]; then
    (cd "$root" && flock "${OPENPORT_MVN_LOCK:-/tmp/openport-mvn.lock}" mvn -B -q -o -pl bench -DskipTests package) >&2
fi
exec 8>>"${OPENPORT_LAB_LOCK:-/tmp/openport-lab.lock}"
flock 8
"$root/lab/gateway-lab" up >/dev/null
ip netns exec pmlab-client java -XX:+UseSerialGC -cp "$jar" dev.openport.bench.MappingLatencyBench "$@"
