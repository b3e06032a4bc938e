package dev.openport.pcp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.spi.ProbeExchange;

/**
 * Plugs PCP (RFC 6887) into core. Applications do not use it directly: put {@code openport-pcp} on the class
 * path and {@code Gateways.connect()} finds it through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * DiscoveryOptions opts = DiscoveryOptions.builder().protocols(MappingProtocol.PCP).build();
 * try (PortMapper pcp = Gateways.connect(opts)) {
 *     PortMapping m = pcp.map(MappingRequest.of(Transport.UDP, 27015));
 *     pcp.addListener(e -> log.info("gateway {}: {}", e.gateway(), e.kind()));  // reboots, ANNOUNCE
 * }
 * }</pre>
 *
 * The probe sends one ANNOUNCE request (RFC 6887 §14.1) to the gateway's port 5351. A gateway that answers
 * with a NAT-PMP "unsupported version" reply fails the probe with {@code UNSUPPORTED}, so discovery uses
 * NAT-PMP instead.
 */
public final class PcpProvider implements PortMapperProvider {

    /** For {@link java.util.ServiceLoader}. */
    public PcpProvider() {
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.PCP;
    }

    @Override
    public PortMapper probe(ProbeContext context) throws PortMappingException {
        return ProbeExchange.run(new PcpPortMapper(context), PcpPortMapper::announce);
    }

    /** A mapper that sends nothing until the first operation, which is then also the probe. */
    @Override
    public PortMapper open(ProbeContext context) {
        return new PcpPortMapper(context);
    }
}
