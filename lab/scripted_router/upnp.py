"""UPnP IGD:1 of the scripted routers: SSDP answers on the LAN and a SOAP WANIPConnection:1 over real sockets.

The mapping semantics are miniupnpd's where the scenario does not say otherwise: a re-add of the same mapping
for the same client only updates the lease (it never re-installs a rule), a mapping of another client's port
fails with 718, lease 0 means permanent.
"""
import http.server
import socket
import struct
import threading
import time
import xml.etree.ElementTree as ET

from .table import Entry, log

SSDP_GROUP, SSDP_PORT = "239.255.255.250", 1900
WANIP = "urn:schemas-upnp-org:service:WANIPConnection:1"
WANCFG = "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1"
IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
UUID = "5c41ab2e-6f1b-4e0e-9c53-0e5ca1ab0000"   # + 1, 2, 3 for the three devices

ROOT_DESC = """<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>%(igd)s</deviceType><friendlyName>gateway-lab scripted router (%(scenario)s)</friendlyName>
<manufacturer>openport lab</manufacturer><modelName>scripted-router</modelName><UDN>uuid:%(uuid)s1</UDN>
<serviceList/><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
<friendlyName>WANDevice</friendlyName><manufacturer>openport lab</manufacturer><modelName>WAN</modelName>
<UDN>uuid:%(uuid)s2</UDN><serviceList><service><serviceType>%(wancfg)s</serviceType>
<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><SCPDURL>/WANCfg.xml</SCPDURL>
<controlURL>/ctl/CmnIfCfg</controlURL><eventSubURL>/evt/CmnIfCfg</eventSubURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
<friendlyName>WANConnectionDevice</friendlyName><manufacturer>openport lab</manufacturer><modelName>WANConn</modelName>
<UDN>uuid:%(uuid)s3</UDN><serviceList><service><serviceType>%(wanip)s</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL>
<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL></service></serviceList>
</device></deviceList></device></deviceList><presentationURL>http://%(lan)s/</presentationURL></device></root>
"""

WANIP_ACTIONS = ["AddPortMapping", "DeletePortMapping", "GetExternalIPAddress", "GetGenericPortMappingEntry",
                 "GetSpecificPortMappingEntry", "GetStatusInfo", "GetConnectionTypeInfo"]
SCPD = ('<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major>'
        '<minor>0</minor></specVersion><actionList>%s</actionList><serviceStateTable/></scpd>')

ERRORS = {401: "Invalid Action", 402: "Invalid Args", 501: "Action Failed", 606: "Action not authorized",
          713: "SpecifiedArrayIndexInvalid", 714: "NoSuchEntryInArray", 716: "WildCardNotPermittedInExtPort",
          718: "ConflictInMappingEntry", 724: "SamePortValuesRequired", 725: "OnlyPermanentLeasesSupported"}


class UpnpError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def ssdp_server(lan_ip, location, stop):
    """Answers M-SEARCH for the IGD, its WANIPConnection, upnp:rootdevice and ssdp:all (unicast, from lan_ip)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", SSDP_PORT))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(SSDP_GROUP) + socket.inet_aton(lan_ip))
    out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    out.bind((lan_ip, 0))
    s.settimeout(0.5)
    types = {"upnp:rootdevice": "uuid:%s1::upnp:rootdevice" % UUID, IGD: "uuid:%s1::%s" % (UUID, IGD),
             WANIP: "uuid:%s3::%s" % (UUID, WANIP)}
    while not stop.is_set():
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        text = data.decode("latin-1")
        if not text.startswith("M-SEARCH"):
            continue
        st = ""
        for line in text.split("\r\n"):
            if line.lower().startswith("st:"):
                st = line[3:].strip()
        answer = list(types) if st == "ssdp:all" else [st] if st in types else []
        for t in answer:
            msg = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: %s\r\nUSN: %s\r\nEXT:\r\n"
                   "SERVER: Linux UPnP/1.0 scripted-router/1\r\nLOCATION: %s\r\n\r\n" % (t, types[t], location))
            out.sendto(msg.encode(), peer)
        if answer:
            log("ssdp", peer="%s:%d" % peer, st=st)


def soap_args(body):
    root = ET.fromstring(body)
    for el in root.iter():
        if el.tag.endswith("}Body") or el.tag == "Body":
            action = list(el)[0]
            return {c.tag.split("}")[-1]: (c.text or "").strip() for c in action}
    raise UpnpError(402)


class Igd:
    """WANIPConnection:1 on top of the table; scenario flags shape it."""

    def __init__(self, table, permissive=False, max_lease=604800):
        self.table, self.permissive, self.max_lease = table, permissive, max_lease
        self.started = time.monotonic()

    def call(self, action, a, caller):
        fn = getattr(self, "do_" + action, None)
        if fn is None:
            raise UpnpError(401)
        return fn(a, caller)

    @staticmethod
    def _proto(a):
        p = a.get("NewProtocol", "").upper()
        if p not in ("TCP", "UDP"):
            raise UpnpError(402)
        return p.lower()

    @staticmethod
    def _int(a, name, lo, hi):
        try:
            v = int(a.get(name, ""))
        except ValueError:
            raise UpnpError(402)
        if not lo <= v <= hi:
            raise UpnpError(402)
        return v

    def do_GetExternalIPAddress(self, a, caller):
        return [("NewExternalIPAddress", self.table.external or "0.0.0.0")]

    def do_GetStatusInfo(self, a, caller):
        up = self.table.external is not None
        return [("NewConnectionStatus", "Connected" if up else "Disconnected"),
                ("NewLastConnectionError", "ERROR_NONE"), ("NewUptime", int(time.monotonic() - self.started))]

    def do_GetConnectionTypeInfo(self, a, caller):
        return [("NewConnectionType", "IP_Routed"), ("NewPossibleConnectionTypes", "IP_Routed")]

    def do_AddPortMapping(self, a, caller):
        proto = self._proto(a)
        eport = self._int(a, "NewExternalPort", 0, 65535)
        if eport == 0:
            raise UpnpError(716)
        iport = self._int(a, "NewInternalPort", 1, 65535)
        lease = self._int(a, "NewLeaseDuration", 0, 2 ** 32 - 1)
        client = a.get("NewInternalClient", "")
        try:
            socket.inet_aton(client)
        except OSError:
            raise UpnpError(402)
        if client != caller and not self.permissive:
            raise UpnpError(718)   # miniupnpd's answer in secure mode
        lease = min(lease, self.max_lease)
        with self.table.lock:
            old = self.table.get(proto, eport)
            if old is not None and (old.client != client or old.iport != iport):
                raise UpnpError(718)
            if old is not None:
                self.table.renew(old, lease, "upnp")
            else:
                self.table.add(Entry(proto, eport, client, iport, lease, a.get("NewPortMappingDescription", "")))
        return []

    def do_DeletePortMapping(self, a, caller):
        proto = self._proto(a)
        eport = self._int(a, "NewExternalPort", 1, 65535)
        with self.table.lock:
            e = self.table.get(proto, eport)
            if e is None:
                raise UpnpError(714)
            if e.client != caller and not self.permissive:
                raise UpnpError(606)
            self.table.remove(e, "deleted by %s" % caller)
        return []

    @staticmethod
    def _entry_args(e):
        return [("NewInternalPort", e.iport), ("NewInternalClient", e.client), ("NewEnabled", 1),
                ("NewPortMappingDescription", e.desc), ("NewLeaseDuration", e.remaining())]

    def do_GetSpecificPortMappingEntry(self, a, caller):
        e = self.table.get(self._proto(a), self._int(a, "NewExternalPort", 1, 65535))
        if e is None:
            raise UpnpError(714)
        return self._entry_args(e)

    def do_GetGenericPortMappingEntry(self, a, caller):
        i = self._int(a, "NewPortMappingIndex", 0, 65535)
        entries = self.table.list()
        if i >= len(entries):
            raise UpnpError(713)
        e = entries[i]
        return [("NewRemoteHost", ""), ("NewExternalPort", e.eport), ("NewProtocol", e.proto.upper())] \
            + self._entry_args(e)

    # WANCommonInterfaceConfig (upnpc -s asks)
    def do_GetCommonLinkProperties(self, a, caller):
        return [("NewWANAccessType", "Ethernet"), ("NewLayer1UpstreamMaxBitRate", 100000000),
                ("NewLayer1DownstreamMaxBitRate", 100000000),
                ("NewPhysicalLinkStatus", "Up" if self.table.external else "Down")]

    def do_GetTotalBytesSent(self, a, caller):
        return [("NewTotalBytesSent", 0)]

    def do_GetTotalBytesReceived(self, a, caller):
        return [("NewTotalBytesReceived", 0)]

    def do_GetTotalPacketsSent(self, a, caller):
        return [("NewTotalPacketsSent", 0)]

    def do_GetTotalPacketsReceived(self, a, caller):
        return [("NewTotalPacketsReceived", 0)]


def soap_response(service, action, args):
    body = "".join("<%s>%s</%s>" % (k, _esc(v), k) for k, v in args)
    return ('<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:%sResponse xmlns:u="%s">%s'
            '</u:%sResponse></s:Body></s:Envelope>\r\n' % (action, service, body, action))


def soap_fault(code):
    return ('<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
            's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault><faultcode>s:Client'
            '</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:'
            'control-1-0"><errorCode>%d</errorCode><errorDescription>%s</errorDescription></UPnPError></detail>'
            '</s:Fault></s:Body></s:Envelope>\r\n' % (code, ERRORS.get(code, "Error")))


def _esc(v):
    return str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def http_server(igd, lan_ip, port, scenario):
    desc = ROOT_DESC % {"igd": IGD, "scenario": scenario, "uuid": UUID, "wancfg": WANCFG, "wanip": WANIP,
                        "lan": lan_ip}
    acts = lambda names: "".join("<action><name>%s</name></action>" % n for n in names)
    docs = {"/rootDesc.xml": desc, "/WANIPCn.xml": SCPD % acts(WANIP_ACTIONS),
            "/WANCfg.xml": SCPD % acts(["GetCommonLinkProperties", "GetTotalBytesSent"])}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "scripted-router/1"

        def log_message(self, fmt, *args):
            pass

        def _send(self, status, body, ctype='text/xml; charset="utf-8"'):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def do_GET(self):
            doc = docs.get(self.path)
            self._send(200, doc) if doc else self._send(404, "not found\n", "text/plain")

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(min(n, 65536))
            action = self.headers.get("SOAPAction", "").strip('"').split("#")[-1]
            service = self.headers.get("SOAPAction", "").strip('"').split("#")[0]
            try:
                result = igd.call(action, soap_args(body), self.client_address[0])
            except UpnpError as e:
                log("soap", action=action, caller=self.client_address[0], error=e.code)
                return self._send(500, soap_fault(e.code))
            except ET.ParseError:
                return self._send(500, soap_fault(402))
            if not action.startswith("GetTotal"):
                log("soap", action=action, caller=self.client_address[0], ok=1)
            self._send(200, soap_response(service, action, result))

    srv = http.server.ThreadingHTTPServer((lan_ip, port), Handler)
    srv.daemon_threads = True
    return srv
