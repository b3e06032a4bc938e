#!/usr/bin/env python3
"""scripted-router.py — the lab's misbehaving routers (Python 3 standard library only).

Runs in the router namespace (pmlab-gw) in place of miniupnpd (`gateway-lab router start SCENARIO`) and
installs real nftables DNAT rules, so the WAN host proves what forwards. Each scenario is one real-world
router behaviour (lab/README.md, "Scripted routers", has the evidence and the reference-client proofs):

  plain        a well-behaved IGD:1 (secure mode) + NAT-PMP; PCP answered "unsupported version"
  half-open    PCP and NAT-PMP answer the probe but refuse every MAP (NOT_AUTHORIZED / result 2); UPnP works
  dropper      UPnP only; forgets each mapping (entry and rule) FORGET_AFTER s after it was added,
               FORGET_TIMES times per port (0: every time)
  lease0-only  UPnP only; drops every finite-lease mapping FORGET_AFTER s after it was added, keeps lease 0
  renumber     UPnP + NAT-PMP; on SIGUSR1 (or RENUMBER_AFTER s after start) the WAN goes down for
               DOWN_SECONDS (external address 0.0.0.0, NAT-PMP result 3), the table is flushed, and it comes
               back with NEW_WAN_IP (rules then use the new address; masquerade follows it)
  zombie       UPnP only; FORGET_AFTER s after a mapping is added its rules vanish, the entry stays listed
               (FORGET_TIMES times per port); a re-add only updates the lease: only Delete + Add restores it
  lan-change   like plain, but permissive (maps for any LAN client), for re-addressing the lab client
  vpn          a ProtonVPN-style NAT-PMP gateway: random port per client (P -> client:P), lifetime capped at
               MAX_LIFETIME, internal port 0 in the answer, the port reassigned every REASSIGN_EVERY s and
               on SIGUSR1; PCP gets a NAT-PMP "unsupported version"; no UPnP

SIGUSR1 = the scenario's event now (renumber: WAN down/up; vpn: reassign; zombie: drop every rule;
dropper: forget everything). SIGTERM: flush its rules, restore the WAN address, exit.
Log: one line per event on stdout, "EPOCH EVENT key=value ..." (gateway-lab router log).
"""
import argparse
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scripted_router import nft, upnp  # noqa: E402
from scripted_router.natpmp import NatPmpServer  # noqa: E402
from scripted_router.table import Table, log  # noqa: E402

# scenario -> (UPnP on, NAT-PMP mode or None = port closed, PCP mode, permissive UPnP)
SCENARIOS = {
    "plain": (True, "normal", "unsupported", False),
    "half-open": (True, "refuse", "refuse", False),
    "dropper": (True, None, None, False),
    "lease0-only": (True, None, None, False),
    "renumber": (True, "normal", "unsupported", False),
    "zombie": (True, None, None, False),
    "lan-change": (True, "normal", "unsupported", True),
    "vpn": (False, "vpn", "unsupported", False),
}


class Router:
    def __init__(self, a):
        self.a = a
        self.stop = threading.Event()
        self.rules = nft.Rules(a.wan_if)
        self.rules.flush()
        self.table = Table(self.rules, a.wan_ip)
        self.counts = {}                       # (proto, port) -> how often the scenario struck it
        self.upnp_on, natpmp_mode, pcp_mode, permissive = SCENARIOS[a.scenario]
        if a.pcp:
            pcp_mode = a.pcp
        self.natpmp = None
        if natpmp_mode:
            self.natpmp = NatPmpServer(self.table, a.lan_ip, natpmp_mode, pcp_mode, a.max_lifetime,
                                       a.port_range, a.vpn_internal)
        self.igd = upnp.Igd(self.table, permissive) if self.upnp_on else None
        self.table.listeners.append(self.on_change)
        self.busy = threading.Lock()           # one renumbering at a time

    # ---- scenario behaviour on each new mapping ----
    def on_change(self, event, entry):
        s = self.a.scenario
        if event != "added" or s not in ("dropper", "lease0-only", "zombie"):
            return
        if s == "lease0-only" and entry.lease == 0:
            return
        if s != "lease0-only" and self.a.forget_times and self.counts.get(entry.key, 0) >= self.a.forget_times:
            return
        t = threading.Timer(self.a.forget_after, self.strike, (entry,))
        t.daemon = True
        t.start()

    def strike(self, entry):
        self.counts[entry.key] = self.counts.get(entry.key, 0) + 1
        if self.a.scenario == "zombie":
            self.table.drop_rule(entry, "zombie: rule gone, entry kept")
        elif self.a.scenario == "lease0-only":
            self.table.remove(entry, "finite lease dropped (only lease 0 is kept)")
        else:
            self.table.remove(entry, "silently forgotten")

    # ---- SIGUSR1 ----
    def event(self):
        s = self.a.scenario
        if s == "renumber":
            threading.Thread(target=self.renumber, daemon=True).start()
        elif s == "vpn":
            self.natpmp.vpn_reassign()
        elif s == "zombie":
            for e in self.table.list():
                self.table.drop_rule(e, "zombie (signal)")
        elif s == "dropper":
            for e in self.table.list():
                self.table.remove(e, "silently forgotten (signal)")
        else:
            log("event-ignored", scenario=s)

    def renumber(self):
        if not self.busy.acquire(blocking=False):
            return
        try:
            old = self.table.external
            new = self.a.new_wan_ip if old != self.a.new_wan_ip else self.a.wan_ip
            log("wan-down", old=old, seconds=self.a.down_seconds)
            self.table.set_external(None)
            self.table.flush("WAN down")
            nft.set_wan_address(self.a.wan_if, old, None)
            if self.stop.wait(self.a.down_seconds):
                nft.set_wan_address(self.a.wan_if, None, old)   # stopped while down: back as it was
                return
            self.table.flush("WAN reconnected")                  # a PPPoE reconnect starts with an empty table
            nft.set_wan_address(self.a.wan_if, None, new)
            self.table.set_external(new)
            if self.natpmp:
                self.natpmp.reset_epoch()
                self.natpmp.announce()
            log("wan-up", external=new)
        finally:
            self.busy.release()

    def run(self):
        threads = []
        if self.igd:
            srv = upnp.http_server(self.igd, self.a.lan_ip, self.a.http_port, self.a.scenario)
            threads.append(threading.Thread(target=srv.serve_forever, name="http", daemon=True))
            location = "http://%s:%d/rootDesc.xml" % (self.a.lan_ip, self.a.http_port)
            threads.append(threading.Thread(target=upnp.ssdp_server, args=(self.a.lan_ip, location, self.stop),
                                            name="ssdp", daemon=True))
        if self.natpmp:
            threads.append(threading.Thread(target=self.natpmp.serve, args=(self.stop,), name="natpmp",
                                            daemon=True))
        for t in threads:
            t.start()
        signal.signal(signal.SIGUSR1, lambda *_: self.event())
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        signal.signal(signal.SIGINT, lambda *_: self.stop.set())
        log("start", scenario=self.a.scenario, upnp=self.upnp_on,
            natpmp=self.natpmp.natpmp if self.natpmp else "closed",
            pcp=self.natpmp.pcp if self.natpmp else "closed", external=self.table.external)
        if self.a.pidfile:
            with open(self.a.pidfile, "w") as f:
                f.write("%d\n" % os.getpid())
        if self.a.readyfile:
            with open(self.a.readyfile, "w") as f:
                f.write("ready\n")
        started, next_reassign = time.monotonic(), time.monotonic() + (self.a.reassign_every or 1e12)
        renumbered = False
        while not self.stop.is_set():
            time.sleep(0.2)
            self.table.expire()
            now = time.monotonic()
            if self.a.scenario == "vpn" and now >= next_reassign:
                self.natpmp.vpn_reassign()
                next_reassign = now + self.a.reassign_every
            if self.a.renumber_after and not renumbered and now - started >= self.a.renumber_after:
                renumbered = True
                self.event()
        self.shutdown()

    def shutdown(self):
        self.table.flush("router stopped")
        self.rules.flush()
        have = nft.wan_addresses(self.a.wan_if)
        if self.a.wan_ip not in have:
            nft.set_wan_address(self.a.wan_if, None, self.a.wan_ip)
        if self.a.new_wan_ip in have:
            nft.set_wan_address(self.a.wan_if, self.a.new_wan_ip, None)
        log("stop", scenario=self.a.scenario)


def port_range(s):
    lo, hi = (int(x) for x in s.split("-"))
    if not 1024 <= lo <= hi <= 65535:
        raise argparse.ArgumentTypeError("port range must be LOW-HIGH within 1024-65535")
    return lo, hi


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    p.add_argument("--lan-ip", default="198.18.0.1")
    p.add_argument("--wan-if", default="wan0")
    p.add_argument("--wan-ip", default="203.0.113.1", help="the WAN address it starts with")
    p.add_argument("--new-wan-ip", default="203.0.113.5", help="renumber: the address it comes back with")
    p.add_argument("--http-port", type=int, default=2869)
    p.add_argument("--forget-after", type=float, default=3.0, help="dropper/lease0-only/zombie: seconds")
    p.add_argument("--forget-times", type=int, default=1, help="dropper/zombie: strikes per port (0: always)")
    p.add_argument("--down-seconds", type=float, default=5.0, help="renumber: how long the WAN is down")
    p.add_argument("--renumber-after", type=float, default=0, help="renumber: also by itself after S s")
    p.add_argument("--max-lifetime", type=int, default=None, help="NAT-PMP lifetime cap (vpn: 60, else 3600)")
    p.add_argument("--reassign-every", type=float, default=150, help="vpn: seconds (0: only on SIGUSR1)")
    p.add_argument("--port-range", type=port_range, default=(42000, 42999), help="vpn: ports it grants")
    p.add_argument("--vpn-internal", choices=["zero", "external"], default="zero",
                   help="vpn: internal port field of its answers")
    p.add_argument("--pcp", choices=["refuse", "unsupported", "drop"], help="override the scenario's PCP mode")
    p.add_argument("--pidfile")
    p.add_argument("--readyfile")
    a = p.parse_args()
    if a.max_lifetime is None:
        a.max_lifetime = 60 if a.scenario == "vpn" else 3600
    Router(a).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
