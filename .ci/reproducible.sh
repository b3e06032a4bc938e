#!/usr/bin/env bash
#
# .ci/reproducible.sh — two clean builds of the published modules give byte-identical jars.
#
# Copies the committed tree (git archive HEAD, so no target/ and no local edits) into two directories, builds
# each with `mvn -o -DskipTests package` of the published modules, and compares every jar (main, -sources,
# -javadoc) by SHA-256. The second copy lives at a different path and is built a little later, so absolute paths
# or build times that leaked into a jar would show. Needs the dependencies in ~/.m2 (the verify step fetched them).
# Environment: OPENPORT_MVN_LOCK (default /tmp/openport-mvn.lock; empty: no lock).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MVN_LOCK=${OPENPORT_MVN_LOCK-/tmp/openport-mvn.lock}
WORK=$(mktemp -d /tmp/openport-repro.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MODULES=core,natpmp,pcp,upnp,diagnostics,openport-all

build() { # directory
    mkdir -p "$1"
    git -C "$ROOT" archive HEAD | tar -x -C "$1"
    local cmd=(mvn -o -B -ntp -q -Dstyle.color=never -DskipTests package -pl "$MODULES" -am)
    if [[ -n $MVN_LOCK ]]; then
        (cd "$1" && flock -w 3600 "$MVN_LOCK" "${cmd[@]}")
    else
        (cd "$1" && "${cmd[@]}")
    fi
    (cd "$1" && find . -path '*/target/*.jar' ! -name '*-tests.jar' | sort | xargs sha256sum) > "$1.sha256"
}

build "$WORK/a"
sleep 2
build "$WORK/b-elsewhere"
n=$(wc -l < "$WORK/a.sha256")
((n >= 17)) || { echo "reproducible: only $n jars built" >&2; cat "$WORK/a.sha256" >&2; exit 1; }
if ! diff "$WORK/a.sha256" "$WORK/b-elsewhere.sha256"; then
    echo "reproducible: FAILED: the two builds differ (lines above: sha256 of each jar)" >&2
    exit 1
fi
echo "reproducible: $n jars byte-identical across two clean builds (1 passed, 0 failed)"
sed 's/^/    /' "$WORK/a.sha256"
