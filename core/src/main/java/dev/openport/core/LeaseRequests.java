package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a lease asks a mapper for, how it compares and reports mappings, and its best-effort delete; no state. */
final class LeaseRequests {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    private LeaseRequests() {
    }

    /**
     * UPnP IPv4 port mappings are read back with {@code check}; NAT-PMP, PCP and IPv6 pinholes (whose "external
     * address" is the host's own, not the gateway's WAN address) by a renewal.
     */
    static boolean readsBackByCheck(PortMapping m) {
        return m.protocol() == MappingProtocol.UPNP && !(m.internalAddress() instanceof java.net.Inet6Address);
    }

    /**
     * What to ask {@code mapper} for: on another mapper the external port we had, so players keep their address;
     * a permanent lease where the gateway drops finite ones (UPnP only: NAT-PMP and PCP never receive lifetime
     * 0, which deletes there; docs/quirks.md, "lease-0-only firmware").
     */
    static MappingRequest requestFor(MappingRequest request, PortMapper mapper, PortMapping cur,
            boolean permanentLeases) {
        MappingRequest r = cur == null || request.exactExternalPort() ? request
                : request.withExternalPort(cur.externalPort());
        if (mapper.protocol() == MappingProtocol.UPNP && permanentLeases) {
            return r.withLifetime(Duration.ZERO);
        }
        return r.isPermanent() && mapper.protocol() != MappingProtocol.UPNP
                ? r.withLifetime(MappingRequest.DEFAULT_LIFETIME) : r;
    }

    /** The mapping to delete and add again: with a permanent lease once the gateway is known to need one. */
    static PortMapping forRepair(MappingRequest request, PortMapping cur, PortMapper mapper,
            boolean permanentLeases) {
        MappingRequest r = requestFor(request, mapper, cur, permanentLeases);
        return r.equals(cur.request()) ? cur : new PortMapping(r, cur.internalAddress(), cur.externalAddress(),
                cur.externalPort(), cur.lifetime(), cur.expiresAt(), cur.protocol(), cur.gateway(),
                cur.protocolState());
    }

    /** 0.0.0.0, loopback and the like are never reported as where the mapping is reachable (docs/quirks.md). */
    static PortMapping withUsableExternal(PortMapping m) {
        return m.externalAddress() == null || MappingCheck.isUsableExternal(m.externalAddress()) ? m
                : withExternal(m, null);
    }

    static PortMapping withExternal(PortMapping m, InetAddress external) {
        return new PortMapping(m.request(), m.internalAddress(), external, m.externalPort(), m.lifetime(),
                m.expiresAt(), m.protocol(), m.gateway(), m.protocolState());
    }

    /** Same port, and the same address unless the new one is unknown (the gateway's WAN is down). */
    static boolean sameEndpoint(PortMapping a, PortMapping b) {
        return a.externalPort() == b.externalPort()
                && (b.externalAddress() == null || Objects.equals(a.externalAddress(), b.externalAddress()));
    }

    /** Whether going from {@code prev} to {@code got} is a change to report (CHANGED). */
    static boolean changed(PortMapping prev, PortMapping got) {
        return !sameEndpoint(prev, got) || prev.protocol() != got.protocol()
                || prev.isPermanent() != got.isPermanent() || !prev.internalAddress().equals(got.internalAddress());
    }

    /** What a read-back means for the lease table: the WAN is down, the entry is gone (or not ours), or held. */
    static LeaseEvent eventOf(MappingCheck c) {
        return c.externalAddress() != null && c.usableExternalAddress().isEmpty() ? LeaseEvent.NO_WAN
                : c.state() == MappingCheck.State.MISSING || c.state() == MappingCheck.State.FOREIGN
                ? LeaseEvent.MISSING : LeaseEvent.HELD;
    }

    static String describe(PortMapping m) {
        return m.external() + " via " + m.protocol().displayName()
                + (m.isPermanent() ? " (permanent lease: the router drops finite ones)" : "");
    }

    /** Deletes {@code m} through {@code mapper}, logging (not throwing) a failure; says so loudly if permanent. */
    static void unmapQuietly(PortMapper mapper, PortMapping m, String why) {
        try {
            mapper.unmap(m);
            LOG.debug("deleted {} {} -> {} ({})", m.transport(), m.internalPort(), m.externalPort(), why);
        } catch (PortMappingException | RuntimeException e) {
            LOG.warn("could not delete {} mapping {} -> {} on {} ({}): {}{}", m.transport().lowerName(),
                    m.externalPort(), m.internalPort(), m.gateway().getHostAddress(), why, e.getMessage(),
                    m.isPermanent() ? " — it is PERMANENT: remove it on the router" : "");
        }
    }
}
