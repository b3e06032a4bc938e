package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

/** Port mapping entries as the gateway lists them, and the {@link PortMapping}s we report for them. Pure. */
final class Entries {
    private Entries() {
    }

    /** Always upper case: some routers reject "tcp" (docs/quirks.md). */
    static String protocolName(Transport t) {
        return t == Transport.TCP ? "TCP" : "UDP";
    }

    /** Whether the entry forwards to {@code client:internalPort} (the address compared as an address). */
    static boolean isOurs(IgdClient.Entry e, String client, int internalPort) {
        return sameClient(e, client) && e.internalPort() == internalPort;
    }

    static boolean sameClient(IgdClient.Entry e, String client) {
        InetAddress a = MiniHttp.parseLiteral(e.internalClient());
        InetAddress b = MiniHttp.parseLiteral(client);
        return a != null && a.equals(b);
    }

    /**
     * Opaque state to act on the mapping from another process: the control URL and service type (the external
     * port and protocol are in the mapping itself).
     */
    static ProtocolState state(WanService s, int ext, Transport t) {
        return ProtocolState.of("upnp;st=" + s.serviceType() + ";ctl=" + s.controlUrl() + ";ext=" + ext + ";proto="
                + t.name());
    }

    /** A granted mapping: lease 0 is permanent (lifetime ZERO, never expires). */
    static PortMapping granted(MappingRequest req, InetAddress internal, InetAddress external, int ext, long lease,
            InetAddress gateway, WanService service) {
        Duration lifetime = lease == 0 ? Duration.ZERO : Duration.ofSeconds(lease);
        Instant expiry = lease == 0 ? Instant.MAX : Instant.now().plusSeconds(lease);
        return new PortMapping(req, internal, external, ext, lifetime, expiry, MappingProtocol.UPNP, gateway,
                state(service, ext, req.transport()));
    }

    /** A listed entry as a mapping, or {@code null} when it is not one we can describe (odd protocol, address). */
    static PortMapping listed(IgdClient.Entry e, InetAddress external, InetAddress gateway, WanService service) {
        Transport t;
        try {
            t = Transport.parse(e.protocol());
        } catch (IllegalArgumentException ex) {
            return null;
        }
        InetAddress internal = MiniHttp.parseLiteral(e.internalClient());
        if (internal == null || e.internalPort() < 1 || e.externalPort() < 1) {
            return null;
        }
        long lease = Math.max(0, Math.min(e.leaseSeconds(), LeasePolicy.MAX_LEASE));
        Duration requested = Duration.ofSeconds(lease); // lease 0: a permanent entry, asked as such
        String desc = e.description().length() > 256 ? e.description().substring(0, 256) : e.description();
        MappingRequest req = new MappingRequest(t, e.internalPort(), internal, e.externalPort(), false, requested,
                desc);
        return granted(req, internal, external, e.externalPort(), lease, gateway, service);
    }
}
