"""NAT-PMP (RFC 6886) and the PCP (RFC 6887) answers of the scripted routers, on udp/5351 of the LAN address.

NAT-PMP modes: "normal" (grants the suggested port when free), "refuse" (answers the external-address request,
refuses every MAP with result 2 NOT_AUTHORIZED/REFUSED), "vpn" (a ProtonVPN-style gateway: ignores the
suggested port and grants one random port per client, forwarded P -> client:P; caps the lifetime; answers
with internal port 0; may reassign the port). PCP modes: "refuse" (ANNOUNCE succeeds, MAP gets NOT_AUTHORIZED),
"unsupported" (a NAT-PMP UNSUPP_VERSION answer, as a NAT-PMP-only gateway sends), "drop" (no answer).
"""
import random
import socket
import struct
import threading
import time

from .table import Entry, log

PORT, ANNOUNCE_GROUP, ANNOUNCE_PORT = 5351, "224.0.0.1", 5350
# RFC 6886 §3.5 result codes
OK, UNSUPP_VERSION, REFUSED, NETWORK_FAILURE, NO_RESOURCES, UNSUPP_OPCODE = range(6)
PCP_NOT_AUTHORIZED = 2           # RFC 6887 §7.4
PROTOS = {1: "udp", 2: "tcp"}    # NAT-PMP opcode -> transport (RFC 6886 §3.3)


class NatPmpServer:
    def __init__(self, table, lan_ip, natpmp="normal", pcp="unsupported", max_lifetime=3600,
                 port_range=(42000, 42999), vpn_internal="zero"):
        self.table, self.lan_ip = table, lan_ip
        self.natpmp, self.pcp = natpmp, pcp
        self.max_lifetime, self.port_range, self.vpn_internal = max_lifetime, port_range, vpn_internal
        self.epoch_start = time.monotonic()
        self.vpn_ports = {}              # client -> the port the VPN gateway forwards to it
        self.retired = set()             # ports a reassignment took away (never granted again in this run)
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((lan_ip, PORT))
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(lan_ip))
        self.sock.settimeout(0.5)

    def epoch(self):
        return int(time.monotonic() - self.epoch_start) & 0xFFFFFFFF

    def reset_epoch(self):
        """The router lost its state (RFC 6886 §3.6): the epoch starts again at 0."""
        self.epoch_start = time.monotonic()

    def serve(self, stop):
        while not stop.is_set():
            try:
                data, peer = self.sock.recvfrom(1100)
            except socket.timeout:
                continue
            if len(data) < 2 or data[1] & 0x80:
                continue
            try:
                answer = self.answer_pcp(data, peer) if data[0] != 0 else self.answer_natpmp(data, peer)
            except Exception as e:  # a lab fake must not die on one odd packet
                log("natpmp-error", peer="%s:%d" % peer, error=repr(e))
                continue
            if answer is not None:
                self.sock.sendto(answer, peer)

    # ---- NAT-PMP ----
    def answer_natpmp(self, d, peer):
        op = d[1]
        if op == 0:
            ext = self.table.external
            res = OK if ext else NETWORK_FAILURE
            log("natpmp", op="address", peer=peer[0], result=res, external=ext or "0.0.0.0")
            return struct.pack("!BBHI4s", 0, 128, res, self.epoch(), socket.inet_aton(ext or "0.0.0.0"))
        if op not in PROTOS or len(d) < 12:
            return struct.pack("!BBHI", 0, 128 + op, UNSUPP_OPCODE, self.epoch())
        iport, eport, life = struct.unpack("!HHI", d[4:12])
        proto = PROTOS[op]
        if self.natpmp == "refuse":
            log("natpmp", op="map", peer=peer[0], proto=proto, iport=iport, result=REFUSED)
            return self._map_answer(op, REFUSED, iport, 0, 0)
        if not self.table.external:
            return self._map_answer(op, NETWORK_FAILURE, iport, 0, 0)
        if self.natpmp == "vpn":
            return self._vpn_map(op, proto, peer[0], iport, eport, life)
        return self._normal_map(op, proto, peer[0], iport, eport, life)

    def _map_answer(self, op, res, iport, eport, life):
        return struct.pack("!BBHIHHI", 0, 128 + op, res, self.epoch(), iport, eport, life)

    def _mine(self, proto, client, owner_iport):
        return [e for e in self.table.list() if e.origin == "natpmp" and e.proto == proto
                and e.owner == (client, owner_iport)]

    def _delete(self, op, proto, client, iport):
        for e in self.table.list():
            if e.origin == "natpmp" and e.proto == proto and e.owner[0] == client and iport in (0, e.owner[1]):
                self.table.remove(e, "natpmp delete (lifetime 0)")
        log("natpmp", op="delete", peer=client, proto=proto, iport=iport, result=OK)
        return self._map_answer(op, OK, iport, 0, 0)

    def _normal_map(self, op, proto, client, iport, eport, life):
        if life == 0:
            return self._delete(op, proto, client, iport)
        life = min(life, self.max_lifetime)
        with self.table.lock:
            mine = self._mine(proto, client, iport)
            if mine:
                self.table.renew(mine[0], life, "natpmp")
                e = mine[0]
            else:
                port = eport or iport
                while self.table.get(proto, port) is not None:
                    port = port + 1 if port < 65535 else 1024
                e = Entry(proto, port, client, iport, life, "NAT-PMP", "natpmp", (client, iport))
                self.table.add(e)
        log("natpmp", op="map", peer=client, proto=proto, iport=iport, granted=e.eport, lifetime=life, result=OK)
        return self._map_answer(op, OK, iport, e.eport, life)

    # ---- the VPN-style gateway ----
    def _vpn_port(self, client):
        with self.lock:
            p = self.vpn_ports.get(client)
            if p is None:
                free = [q for q in range(self.port_range[0], self.port_range[1] + 1)
                        if q not in self.retired and q not in self.vpn_ports.values()
                        and not any(e.eport == q for e in self.table.list())]
                p = random.choice(free)
                self.vpn_ports[client] = p
                log("vpn-port", client=client, port=p)
            return p

    def _vpn_map(self, op, proto, client, iport, eport, life):
        if life == 0:
            answer = self._delete(op, proto, client, iport)
            with self.lock:
                if not any(e.origin == "natpmp" and e.owner[0] == client for e in self.table.list()):
                    self.vpn_ports.pop(client, None)   # nothing left: the next MAP may get another port
            return answer
        life = min(life, self.max_lifetime)
        port = self._vpn_port(client)
        with self.table.lock:
            e = self.table.get(proto, port)
            if e is not None and e.client == client:
                self.table.renew(e, life, "natpmp")
            else:
                e = Entry(proto, port, client, port, life, "VPN", "natpmp", (client, iport))
                self.table.add(e)
        shown = 0 if self.vpn_internal == "zero" else port
        log("natpmp", op="map", peer=client, proto=proto, iport=iport, suggested=eport, granted=port,
            lifetime=life, answer_internal=shown, result=OK)
        return self._map_answer(op, OK, shown, port, life)

    def vpn_reassign(self):
        """The gateway takes each client's port away; the client's next MAP gets a new one."""
        with self.lock:
            for client, port in list(self.vpn_ports.items()):
                self.retired.add(port)
                del self.vpn_ports[client]
                log("vpn-reassign", client=client, old_port=port)
        for e in self.table.list():
            if e.origin == "natpmp" and e.eport in self.retired:
                self.table.remove(e, "reassigned by the gateway")

    def announce(self):
        """RFC 6886 §3.2.1: the new external address, multicast to 224.0.0.1:5350 from the LAN address."""
        ext = self.table.external or "0.0.0.0"
        msg = struct.pack("!BBHI4s", 0, 128, OK, self.epoch(), socket.inet_aton(ext))
        self.sock.sendto(msg, (ANNOUNCE_GROUP, ANNOUNCE_PORT))
        log("natpmp", op="announce", external=ext, epoch=self.epoch())

    # ---- PCP ----
    def answer_pcp(self, d, peer):
        if self.pcp == "drop":
            return None
        if self.pcp == "unsupported" or d[0] != 2 or len(d) < 24:
            log("pcp", peer=peer[0], version=d[0], result="UNSUPP_VERSION(as NAT-PMP)")
            return struct.pack("!BBHI", 0, 128 + (d[1] & 0x7F), UNSUPP_VERSION, self.epoch())
        op = d[1] & 0x7F
        res = 0 if op == 0 else PCP_NOT_AUTHORIZED
        log("pcp", peer=peer[0], op={0: "announce", 1: "map", 2: "peer"}.get(op, op), result=res)
        head = struct.pack("!BBBBII", 2, 0x80 | op, 0, res, 0, self.epoch()) + b"\0" * 12
        if op == 1 and len(d) >= 60:
            # the MAP payload comes back as sent (nonce, protocol, internal port), no external port/address
            return head + d[24:42] + b"\0\0" + b"\0" * 16
        return head + d[24:]
