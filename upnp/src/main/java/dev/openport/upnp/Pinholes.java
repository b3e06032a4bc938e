package dev.openport.upnp;

import dev.openport.core.MappingCheck;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.PortMappingException;
import dev.openport.core.spi.AnyPorts;
import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * IPv6 "mappings" are firewall pinholes (UPnP-gw-WANIPv6FirewallControl-v1 §2.5.3–2.5.6): no address
 * translation, the external address and port are the host's own. The pinhole's UniqueID travels in
 * {@link PortMapping#protocolState()}.
 */
final class Pinholes {
    /** WANIPv6FirewallControl:1 §2.3.8: LeaseTime is 1..86400 seconds. */
    static final long MAX_PINHOLE_LEASE = 86_400;
    private static final String PREFIX = "upnp-pinhole;id=";

    private Pinholes() {
    }

    static boolean isPinhole(PortMapping m) {
        return m.protocolState().text().startsWith(PREFIX);
    }

    static int idOf(PortMapping m) throws PortMappingException {
        String s = m.protocolState().text().substring(PREFIX.length());
        int semi = s.indexOf(';');
        try {
            return Integer.parseInt(semi < 0 ? s : s.substring(0, semi));
        } catch (NumberFormatException e) {
            throw new PortMappingException(Reason.PROTOCOL_ERROR, "not a pinhole state: " + m.protocolState().text());
        }
    }

    static PortMapping add(IgdClient fw, UpnpPortMapper mapper, MappingRequest req) throws PortMappingException {
        InetAddress client = req.internalAddressIfSet().orElse(mapper.context().localAddress());
        String text = LanAddresses.text(client);
        long lease = lease(req.lifetime());
        // no translation: an any-port request opens its suggested (or a random dynamic) port; never 0 = all ports
        int port = !req.followsExternalPort() ? req.internalPort()
                : req.externalPort() != 0 ? req.externalPort() : AnyPorts.pick();
        int id;
        try {
            id = fw.addPinhole(text, port, req.transport().ianaNumber(), lease);
        } catch (PortMappingException e) {
            throw PinholeAdvice.explain(e, fw::getFirewallStatus, client, mapper.gateway());
        }
        return new PortMapping(req, client, client, port, Duration.ofSeconds(lease),
                Instant.now().plusSeconds(lease), MappingProtocol.UPNP, mapper.gateway(),
                ProtocolState.of(PREFIX + id + ";ctl=" + fw.service().controlUrl()));
    }

    static PortMapping renew(IgdClient fw, UpnpPortMapper mapper, PortMapping m) throws PortMappingException {
        long lease = lease(m.request().lifetime());
        try {
            fw.updatePinhole(idOf(m), lease);
        } catch (PortMappingException e) {
            int code = e.protocolCode().orElse(0);
            // gone (router rebooted): 704 per the spec, 402 from miniupnpd 2.3.1
            if (code == UpnpErrors.PINHOLE_NO_SUCH_ENTRY || code == UpnpErrors.INVALID_ARGS) {
                return add(fw, mapper, m.request().withExternalPort(m.externalPort()));
            }
            throw e;
        }
        return m.withLease(Duration.ofSeconds(lease), Instant.now().plusSeconds(lease));
    }

    /**
     * Deletes the pinhole and opens it again for the same port, as a failed reachability signal asks: an
     * UpdatePinhole only extends a pinhole that the firewall may list without letting anything through (the
     * "listed but not forwarding" row of docs/quirks.md). The new pinhole has a new UniqueID.
     */
    static PortMapping repair(IgdClient fw, UpnpPortMapper mapper, PortMapping m) throws PortMappingException {
        delete(fw, m);
        return add(fw, mapper, m.request().withExternalPort(m.externalPort()));
    }

    /**
     * GetPinholePackets (WANIPv6FirewallControl:1 §2.5.6) for the pinhole's UniqueID: one small request that
     * never creates anything. A pinhole has no entry in the IPv4 port mapping table, so it is never looked up
     * there. Gone: 704 per the spec, 402 from miniupnpd for an unknown ID.
     */
    static MappingCheck check(IgdClient fw, PortMapping m) throws PortMappingException {
        try {
            fw.getPinholePackets(idOf(m));
        } catch (PortMappingException e) {
            int code = e.protocolCode().orElse(0);
            if (code == UpnpErrors.PINHOLE_NO_SUCH_ENTRY || code == UpnpErrors.INVALID_ARGS) {
                return MappingCheck.missing(m.externalAddress());
            }
            if (e.protocolCode().isPresent()) {
                return MappingCheck.unknown(m.externalAddress());
            }
            throw e;
        }
        return MappingCheck.held(m.externalAddress(), m.internalAddress());
    }

    static void delete(IgdClient fw, PortMapping m) throws PortMappingException {
        try {
            fw.deletePinhole(idOf(m));
        } catch (PortMappingException e) {
            int code = e.protocolCode().orElse(0);
            if (code == UpnpErrors.PINHOLE_NO_SUCH_ENTRY || code == UpnpErrors.INVALID_ARGS) {
                return; // already gone (miniupnpd answers 402 for an unknown ID)
            }
            throw e;
        }
    }

    /** A permanent request (ZERO) gets the longest pinhole lease: the firewall service has no permanent one. */
    private static long lease(Duration d) {
        if (d.isZero()) {
            return MAX_PINHOLE_LEASE;
        }
        return Math.max(1, Math.min(MAX_PINHOLE_LEASE, d.getSeconds()));
    }
}
