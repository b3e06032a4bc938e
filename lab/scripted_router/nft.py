"""nftables and address changes in the router namespace: the scripted routers forward for real.

The rules go into the chains gateway-lab made for miniupnpd (table inet pmlab): one DNAT rule in
prerouting_miniupnpd and one accept rule in miniupnpd per mapping, so a WAN host's packet reaches the client
only while the router really holds the mapping. Every rule carries the comment TAG.
"""
import re
import subprocess
import threading

TABLE = "inet pmlab"
DNAT_CHAIN = "prerouting_miniupnpd"
FORWARD_CHAIN = "miniupnpd"
TAG = "scripted-router"


class NftError(RuntimeError):
    pass


def run(args, stdin=None):
    p = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise NftError("%s: %s" % (" ".join(args), (p.stderr or p.stdout).strip()))
    return p.stdout


class Rules:
    """DNAT + accept rule pairs, by handle. Thread-safe (one nft call at a time)."""

    def __init__(self, wan_if):
        self.wan_if = wan_if
        self.lock = threading.Lock()

    def _add(self, chain, rule):
        out = run(["nft", "--echo", "--handle", "-f", "-"], "add rule %s %s %s\n" % (TABLE, chain, rule))
        m = re.search(r"# handle (\d+)", out)
        if not m:
            raise NftError("no handle in nft's echo: %r" % out)
        return int(m.group(1))

    def add(self, proto, ext_ip, ext_port, client, int_port):
        """Forward ext_ip:ext_port/proto (arriving on the WAN link) to client:int_port; returns the handles."""
        with self.lock:
            dnat = self._add(DNAT_CHAIN, 'iifname "%s" ip daddr %s %s dport %d counter dnat ip to %s:%d comment "%s"'
                             % (self.wan_if, ext_ip, proto, ext_port, client, int_port, TAG))
            try:
                fwd = self._add(FORWARD_CHAIN, 'iifname "%s" ip daddr %s %s dport %d counter accept comment "%s"'
                                % (self.wan_if, client, proto, int_port, TAG))
            except NftError:
                self._delete(DNAT_CHAIN, dnat)
                raise
            return dnat, fwd

    def _delete(self, chain, handle):
        try:
            run(["nft", "delete", "rule"] + TABLE.split() + [chain, "handle", str(handle)])
        except NftError:
            pass  # already gone (flushed)

    def delete(self, handles):
        if not handles:
            return
        with self.lock:
            self._delete(DNAT_CHAIN, handles[0])
            self._delete(FORWARD_CHAIN, handles[1])

    def flush(self):
        """Empties both chains (while a scripted router runs, miniupnpd is stopped: they are ours)."""
        with self.lock:
            for chain in (DNAT_CHAIN, FORWARD_CHAIN):
                run(["nft", "flush", "chain"] + TABLE.split() + [chain])


def wan_addresses(wan_if):
    out = run(["ip", "-4", "-o", "addr", "show", "dev", wan_if])
    return re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", out)


def set_wan_address(wan_if, old, new, prefix=24):
    """WAN link renumbered: old removed (None: keep none), new added (None: WAN down, no address)."""
    # deleting the primary address must promote the other one, not take it along
    with open("/proc/sys/net/ipv4/conf/%s/promote_secondaries" % wan_if, "w") as f:
        f.write("1\n")
    have = wan_addresses(wan_if)
    if new and new not in have:
        run(["ip", "addr", "add", "%s/%d" % (new, prefix), "dev", wan_if])
    if old and old != new and old in have:
        run(["ip", "addr", "del", "%s/%d" % (old, prefix), "dev", wan_if])
