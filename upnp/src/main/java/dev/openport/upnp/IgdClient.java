package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SOAP actions of one WAN connection service (UPnP-gw-WANIPConnection-v2 §2.5, WANPPPConnection:1 §2.5) or
 * IPv6 firewall service (UPnP-gw-WANIPv6FirewallControl-v1 §2.5), each a small method with a typed result.
 * UPnPError faults become {@link PortMappingException}s carrying the UPnP code; recovery from them is the
 * mapper's job ({@link UpnpPortMapper}).
 */
final class IgdClient {
    /** A SOAP answer is a few hundred bytes; 64 KiB leaves room for GetListOfPortMappings. */
    static final int MAX_SOAP_BYTES = 64 * 1024;

    private final WanService service;
    private final InetAddress gateway;
    private final Duration timeout;
    /** The local address requests go out from, or {@code null} for the kernel's choice. */
    private final InetAddress source;

    IgdClient(WanService service, InetAddress gateway, Duration timeout) {
        this(service, gateway, timeout, null);
    }

    /**
     * A client whose requests go out from {@code source}: IPv6 routers open a pinhole only for the address the
     * request came from (miniupnpd's PinholeVerification, 606 otherwise), and the kernel's default source on a
     * host with privacy addresses is a temporary one (RFC 6724 rule 7), not the stable address we ask for.
     */
    IgdClient(WanService service, InetAddress gateway, Duration timeout, InetAddress source) {
        this.service = service;
        this.gateway = gateway;
        this.timeout = timeout;
        this.source = source;
    }

    WanService service() {
        return service;
    }

    /** GetStatusInfo's answer. {@code uptimeSeconds} is -1 when the router sent something unreadable. */
    record StatusInfo(String connectionStatus, String lastConnectionError, long uptimeSeconds) {
        boolean connected() {
            return "Connected".equalsIgnoreCase(connectionStatus);
        }
    }

    /** A port mapping entry as the gateway reports it. Protocol is upper case. */
    record Entry(String remoteHost, int externalPort, String protocol, int internalPort, String internalClient,
            boolean enabled, String description, long leaseSeconds) {
    }

    /** GetFirewallStatus's answer. */
    record FirewallStatus(boolean firewallEnabled, boolean inboundPinholeAllowed) {
    }

    // ---- WANIPConnection / WANPPPConnection ----

    InetAddress getExternalIPAddress() throws PortMappingException {
        Soap.Response r = call("GetExternalIPAddress", Map.of());
        String ip = r.get("NewExternalIPAddress");
        if (ip == null || ip.isEmpty()) {
            return null; // "not connected" routers answer an empty address
        }
        InetAddress a = MiniHttp.parseLiteral(ip);
        if (a == null) {
            throw protocol("GetExternalIPAddress: not an IP address: " + SafeXml.shorten(ip));
        }
        return a;
    }

    StatusInfo getStatusInfo() throws PortMappingException {
        Soap.Response r = call("GetStatusInfo", Map.of());
        String uptime = r.get("NewUptime") != null ? r.get("NewUptime") : r.get("NewUpTime");
        long up;
        try {
            up = uptime == null ? -1 : Long.parseLong(uptime.trim());
        } catch (NumberFormatException e) {
            up = -1; // e.g. "0 Days, 01:00:00"
        }
        return new StatusInfo(nonNull(r.get("NewConnectionStatus")), nonNull(r.get("NewLastConnectionError")), up);
    }

    void addPortMapping(int externalPort, String protocol, int internalPort, String internalClient,
            String description, long leaseSeconds) throws PortMappingException {
        call("AddPortMapping", mappingArgs(externalPort, protocol, internalPort, internalClient, description,
                leaseSeconds));
    }

    /** AddAnyPortMapping (IGD:2): the gateway picks a free external port near the one asked and returns it. */
    int addAnyPortMapping(int externalPort, String protocol, int internalPort, String internalClient,
            String description, long leaseSeconds) throws PortMappingException {
        Soap.Response r = call("AddAnyPortMapping", mappingArgs(externalPort, protocol, internalPort,
                internalClient, description, leaseSeconds));
        return port(r.get("NewReservedPort"), "NewReservedPort");
    }

    private static Map<String, String> mappingArgs(int externalPort, String protocol, int internalPort,
            String internalClient, String description, long leaseSeconds) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("NewRemoteHost", "");
        a.put("NewExternalPort", Integer.toString(externalPort));
        a.put("NewProtocol", protocol);
        a.put("NewInternalPort", Integer.toString(internalPort));
        a.put("NewInternalClient", internalClient);
        a.put("NewEnabled", "1");
        a.put("NewPortMappingDescription", description);
        a.put("NewLeaseDuration", Long.toString(leaseSeconds));
        return a;
    }

    void deletePortMapping(int externalPort, String protocol) throws PortMappingException {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("NewRemoteHost", "");
        a.put("NewExternalPort", Integer.toString(externalPort));
        a.put("NewProtocol", protocol);
        call("DeletePortMapping", a);
    }

    /** The entry for an external port, or {@code null} when the gateway has none (714). */
    Entry getSpecificPortMappingEntry(int externalPort, String protocol) throws PortMappingException {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("NewRemoteHost", "");
        a.put("NewExternalPort", Integer.toString(externalPort));
        a.put("NewProtocol", protocol);
        try {
            Soap.Response r = call("GetSpecificPortMappingEntry", a);
            return entry(r, externalPort, protocol);
        } catch (PortMappingException e) {
            if (e.protocolCode().orElse(0) == UpnpErrors.NO_SUCH_ENTRY) {
                return null;
            }
            throw e;
        }
    }

    /** The entry at {@code index}, or {@code null} past the end (713, or 714/402 on some routers). */
    Entry getGenericPortMappingEntry(int index) throws PortMappingException {
        try {
            Soap.Response r = call("GetGenericPortMappingEntry", Map.of("NewPortMappingIndex",
                    Integer.toString(index)));
            return entry(r, -1, null);
        } catch (PortMappingException e) {
            int code = e.protocolCode().orElse(0);
            if (code == UpnpErrors.ARRAY_INDEX_INVALID || code == UpnpErrors.NO_SUCH_ENTRY
                    || code == UpnpErrors.INVALID_ARGS) {
                return null;
            }
            throw e;
        }
    }

    private Entry entry(Soap.Response r, int externalPort, String protocol) throws PortMappingException {
        int ext = externalPort > 0 ? externalPort : port(r.get("NewExternalPort"), "NewExternalPort");
        String proto = protocol != null ? protocol : nonNull(r.get("NewProtocol")).toUpperCase(java.util.Locale.ROOT);
        String enabled = nonNull(r.get("NewEnabled"));
        long lease;
        try {
            lease = Long.parseLong(nonNull(r.get("NewLeaseDuration")).trim());
        } catch (NumberFormatException e) {
            lease = -1;
        }
        return new Entry(nonNull(r.get("NewRemoteHost")), ext, proto, port(r.get("NewInternalPort"),
                "NewInternalPort"), nonNull(r.get("NewInternalClient")),
                !(enabled.equals("0") || enabled.equalsIgnoreCase("false")),
                nonNull(r.get("NewPortMappingDescription")), lease);
    }

    // ---- WANIPv6FirewallControl:1 ----

    FirewallStatus getFirewallStatus() throws PortMappingException {
        Soap.Response r = call("GetFirewallStatus", Map.of());
        return new FirewallStatus(bool(r.get("FirewallEnabled")), bool(r.get("InboundPinholeAllowed")));
    }

    /**
     * AddPinhole: lets any remote host reach {@code internalClient:internalPort}.
     *
     * @param ianaProtocol 6 TCP, 17 UDP (the firewall service takes protocol numbers, not names)
     * @return the pinhole's UniqueID
     */
    int addPinhole(String internalClient, int internalPort, int ianaProtocol, long leaseSeconds)
            throws PortMappingException {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("RemoteHost", "");
        a.put("RemotePort", "0");
        a.put("InternalClient", internalClient);
        a.put("InternalPort", Integer.toString(internalPort));
        a.put("Protocol", Integer.toString(ianaProtocol));
        a.put("LeaseTime", Long.toString(leaseSeconds));
        Soap.Response r = call("AddPinhole", a);
        return port0(r.get("UniqueID"), "UniqueID");
    }

    void updatePinhole(int uniqueId, long leaseSeconds) throws PortMappingException {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("UniqueID", Integer.toString(uniqueId));
        a.put("NewLeaseTime", Long.toString(leaseSeconds));
        call("UpdatePinhole", a);
    }

    /** GetPinholePackets: how many packets went through the pinhole; 704 when there is no such pinhole. */
    long getPinholePackets(int uniqueId) throws PortMappingException {
        Soap.Response r = call("GetPinholePackets", Map.of("UniqueID", Integer.toString(uniqueId)));
        return port0(r.get("PinholePackets"), "PinholePackets");
    }

    void deletePinhole(int uniqueId) throws PortMappingException {
        call("DeletePinhole", Map.of("UniqueID", Integer.toString(uniqueId)));
    }

    // ---- plumbing ----

    Soap.Response call(String action, Map<String, String> args) throws PortMappingException {
        byte[] body = Soap.request(service.serviceType(), action, args);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "text/xml; charset=\"utf-8\"");
        headers.put("SOAPAction", Soap.soapAction(service.serviceType(), action));
        long deadline = System.nanoTime() + timeout.toNanos();
        MiniHttp.Response http = MiniHttp.post(service.controlUrl(), headers, body, deadline, MAX_SOAP_BYTES,
                source);
        if (http.status() == 404) {
            // the router restarted with other control paths (random prefixes on some firmware): stale, rediscover
            throw new MiniHttp.Unreachable(action + ": control URL " + service.controlUrl() + " answered 404",
                    gateway, null);
        }
        Soap.Response r;
        try {
            r = Soap.parse(http.status(), http.body(), action);
        } catch (PortMappingException e) {
            throw new PortMappingException(e.reason(), e.getMessage(), MappingProtocol.UPNP, gateway, null, e);
        }
        if (r.isFault()) {
            throw UpnpErrors.toException(action, r.faultCode(), r.faultDescription(), gateway);
        }
        return r;
    }

    private PortMappingException protocol(String message) {
        return new PortMappingException(Reason.PROTOCOL_ERROR, message, MappingProtocol.UPNP, gateway, null, null);
    }

    private int port(String s, String name) throws PortMappingException {
        int p = port0(s, name);
        if (p < 1 || p > 65535) {
            throw protocol(name + " out of range: " + p);
        }
        return p;
    }

    private int port0(String s, String name) throws PortMappingException {
        try {
            long v = Long.parseLong(nonNull(s).trim());
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw protocol(name + " out of range: " + v);
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw protocol(name + " is not a number: " + SafeXml.shorten(s));
        }
    }

    private static boolean bool(String s) {
        return s != null && (s.trim().equals("1") || s.trim().equalsIgnoreCase("true")
                || s.trim().equalsIgnoreCase("yes"));
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
