#!/usr/bin/env bash
# Measures a UPnP renewal on the lab's miniupnpd: plain re-add vs DeletePortMapping + AddPortMapping (ms, and
# traffic from the WAN host meanwhile). Usage, as root, from the repository root:
#   flock /tmp/openport-lab.lock upnp/src/test/lab/renewal-cost.sh [ROUNDS] [--igd2]
# Result and decision: docs/quirks.md ("renewal: re-add, delete + add only to repair").
set -euo pipefail
ROUNDS=${1:-200}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
lab=$(cd "$here/../../../../lab" && pwd)/gateway-lab
"$lab" up "$@" >/dev/null
eval "$("$lab" env)"
port=47000
ctl=$(ip netns exec pmlab-client python3 - <<PY
import re, urllib.request
d = urllib.request.urlopen('http://$PMLAB_GW_LAN_IP:2869/rootDesc.xml', timeout=5).read().decode()
m = re.search(r'<serviceType>(urn:schemas-upnp-org:service:WANIPConnection:\d)</serviceType>.*?<controlURL>([^<]+)</controlURL>', d, re.S)
print(m.group(1), 'http://$PMLAB_GW_LAN_IP:2869' + m.group(2))
PY
)
read -r service url <<<"$ctl"
seconds=$(( ROUNDS * 2 / 10 + 30 ))
log=$(mktemp /tmp/renewal-cost.XXXXXX)
"$lab" wan python3 "$here/renewal-cost.py" send "$PMLAB_GW_WAN_IP" "$port" "$seconds" "$log" &
sender=$!
sleep 0.5
"$lab" exec python3 "$here/renewal-cost.py" measure "$url" "$service" "$PMLAB_CLIENT_IP" "$port" "$ROUNDS" "$log"
kill "$sender" 2>/dev/null || true
wait "$sender" 2>/dev/null || true
rm -f "$log"
