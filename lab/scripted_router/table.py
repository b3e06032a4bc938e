"""The router's mapping table: entries keyed by (transport, external port), each backed by real nft rules.

Every change is logged as one line "EPOCH EVENT key=value..." (EPOCH = wall-clock seconds) so that the interop
suite can measure, from the router's side, when a mapping vanished and when the client restored it.
"""
import sys
import threading
import time


def log(event, **kv):
    parts = ["%.3f" % time.time(), event] + ["%s=%s" % (k, v) for k, v in kv.items()]
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


class Entry:
    def __init__(self, proto, eport, client, iport, lease, desc="", origin="upnp", owner=None):
        self.proto, self.eport, self.client, self.iport = proto, eport, client, iport
        self.lease = lease                     # seconds; 0 = permanent (UPnP lease 0)
        self.desc, self.origin = desc, origin
        self.owner = owner                     # NAT-PMP: (client, internal port in the request)
        self.added = time.monotonic()
        self.expires = None if lease == 0 else self.added + lease
        self.handles = None                    # nft rule handles while the rule is installed

    @property
    def key(self):
        return self.proto, self.eport

    def remaining(self):
        return 0 if self.expires is None else max(1, int(round(self.expires - time.monotonic())))

    def renew(self, lease):
        self.lease = lease
        self.expires = None if lease == 0 else time.monotonic() + lease

    def describe(self):
        return "%s/%d->%s:%d" % (self.proto, self.eport, self.client, self.iport)


class Table:
    """Thread-safe. external is the WAN address (None while the WAN is down: no rules can be installed)."""

    def __init__(self, rules, external):
        self.rules = rules
        self.external = external
        self.entries = {}
        self.lock = threading.RLock()
        self.listeners = []                    # fn(event, entry) for "added"/"renewed"

    def get(self, proto, eport):
        with self.lock:
            return self.entries.get((proto, eport))

    def list(self):
        with self.lock:
            return sorted(self.entries.values(), key=lambda e: (e.added, e.eport, e.proto))

    def add(self, entry):
        with self.lock:
            old = self.entries.get(entry.key)
            if old is not None:
                self._remove(old, "replaced")
            if self.external:
                entry.handles = self.rules.add(entry.proto, self.external, entry.eport, entry.client, entry.iport)
            self.entries[entry.key] = entry
            log("add", mapping=entry.describe(), lease=entry.lease, via=entry.origin,
                rule="yes" if entry.handles else "no(wan-down)", desc=repr(entry.desc))
            listeners = list(self.listeners)
        for fn in listeners:
            fn("added", entry)

    def renew(self, entry, lease, via):
        """A re-add of the same mapping: only the lease changes (the rule is left as it is, or as it is not)."""
        with self.lock:
            before = entry.remaining() if entry.expires is not None else 0
            entry.renew(lease)
            log("renew", mapping=entry.describe(), lease=lease, remaining_before=before, via=via,
                rule="yes" if entry.handles else "no")
            listeners = list(self.listeners)
        for fn in listeners:
            fn("renewed", entry)

    def _remove(self, entry, reason):
        self.rules.delete(entry.handles)
        entry.handles = None
        if self.entries.get(entry.key) is entry:
            del self.entries[entry.key]
        log("remove", mapping=entry.describe(), reason=reason)

    def remove(self, entry, reason):
        with self.lock:
            if self.entries.get(entry.key) is entry:
                self._remove(entry, reason)
                return True
            return False

    def drop_rule(self, entry, reason):
        """The entry stays listed but forwards nothing any more (a zombie)."""
        with self.lock:
            if entry.handles:
                self.rules.delete(entry.handles)
                entry.handles = None
                log("rule-dropped", mapping=entry.describe(), reason=reason)

    def flush(self, reason):
        with self.lock:
            for e in list(self.entries.values()):
                self._remove(e, reason)

    def expire(self):
        now = time.monotonic()
        with self.lock:
            for e in list(self.entries.values()):
                if e.expires is not None and e.expires <= now:
                    self._remove(e, "expired")

    def set_external(self, ip):
        with self.lock:
            self.external = ip
            log("wan", external=ip or "none")
