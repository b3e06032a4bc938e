package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The default {@link PortMapper#check}: reads a mapping back from the gateway, to catch routers that answer "OK"
 * and then drop it (docs/quirks.md). UPnP: the mapping must be in the gateway's table ({@link PortMapper#list()}),
 * same external port, transport and internal port. NAT-PMP/PCP: the gateway must renew it, keeping its external
 * port: a renewal answer is the protocol's only read-back. Callers use {@link PortMapper#check}.
 */
final class MappingVerifier {
    private MappingVerifier() {
    }

    /** What the read-back showed. */
    enum Result {
        /** The gateway holds the mapping. */
        CONFIRMED,
        /** The gateway no longer holds it (or renewing it moved it to another external port). */
        MISSING,
        /** The gateway cannot be asked (no table to list, or it refused the question). */
        UNKNOWN
    }

    /**
     * Reads {@code mapping} back through {@code mapper} ({@link PortMapper#check}). For NAT-PMP and PCP this
     * renews the mapping (the lease starts again); if the renewal moved it to another external port, the moved
     * mapping is deleted again.
     *
     * @param mapper  a mapper of the protocol and gateway that made {@code mapping}
     * @param mapping the mapping to read back
     * @return whether the gateway holds it
     * @throws PortMappingException when the gateway stopped answering ({@code TIMEOUT})
     */
    static Result verify(PortMapper mapper, PortMapping mapping) throws PortMappingException {
        return switch (mapper.check(mapping).state()) {
            case HELD -> Result.CONFIRMED;
            case MISSING, FOREIGN -> Result.MISSING;
            case UNKNOWN -> Result.UNKNOWN;
        };
    }

    /** The default {@link PortMapper#check}: read the table where the protocol lists one, else renew. */
    static MappingCheck check(PortMapper mapper, PortMapping mapping) throws PortMappingException {
        if (mapping.protocol() != MappingProtocol.UPNP) {
            return checkByRenewal(mapper, mapping);
        }
        List<PortMapping> table;
        try {
            table = mapper.list();
        } catch (PortMappingException e) {
            if (e.reason() == PortMappingException.Reason.TIMEOUT) {
                throw e;
            }
            return MappingCheck.unknown(null);
        }
        InetAddress external = externalOrNull(mapper);
        for (PortMapping m : table) {
            if (m.externalPort() != mapping.externalPort() || m.transport() != mapping.transport()) {
                continue;
            }
            boolean ours = m.internalPort() == mapping.internalPort()
                    && m.internalAddress().equals(mapping.internalAddress());
            return new MappingCheck(ours ? MappingCheck.State.HELD : MappingCheck.State.FOREIGN, external,
                    m.internalAddress(), m.isPermanent() ? Duration.ZERO : null);
        }
        return MappingCheck.missing(external);
    }

    private static MappingCheck checkByRenewal(PortMapper mapper, PortMapping mapping) throws PortMappingException {
        PortMapping renewed;
        try {
            renewed = mapper.renew(mapping);
        } catch (PortMappingException e) {
            if (e.reason() == PortMappingException.Reason.TIMEOUT) {
                throw e;
            }
            return MappingCheck.unknown(null);
        }
        if (renewed.externalPort() != mapping.externalPort()) {
            // the gateway had lost it and made a new one elsewhere: not what the caller holds; don't leak it
            try {
                mapper.unmap(renewed);
            } catch (PortMappingException e) {
                // best effort
            }
            return MappingCheck.missing(renewed.externalAddress());
        }
        return MappingCheck.held(renewed.externalAddress(), renewed.internalAddress())
                .withLeaseRemaining(renewed.lifetime());
    }

    private static InetAddress externalOrNull(PortMapper mapper) throws PortMappingException {
        try {
            return mapper.externalAddress();
        } catch (PortMappingException e) {
            if (e.reason() == PortMappingException.Reason.TIMEOUT) {
                throw e;
            }
            return null;
        }
    }
}
