package dev.openport.natpmp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.spi.ProbeExchange;

/**
 * Plugs NAT-PMP (RFC 6886) into core through {@link java.util.ServiceLoader}; applications do not call it
 * directly but put this module on the class path and use {@code Gateways}.
 *
 * <pre>{@code
 * // what core does with it:
 * PortMapper mapper = new NatPmpProvider().probe(context);   // one external-address exchange
 * }</pre>
 */
public final class NatPmpProvider implements PortMapperProvider {

    /** For {@link java.util.ServiceLoader}. */
    public NatPmpProvider() {
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.NAT_PMP;
    }

    /**
     * Asks the gateway for its external address (RFC 6886 §3.2). A gateway answering "unsupported version" or in
     * PCP fails with {@code UNSUPPORTED}; silence with {@code TIMEOUT}.
     */
    @Override
    public PortMapper probe(ProbeContext context) throws PortMappingException {
        return ProbeExchange.run(new NatPmpPortMapper(context), NatPmpPortMapper::externalAddress);
    }

    /** A mapper without any exchange: the first request is the probe. */
    @Override
    public PortMapper open(ProbeContext context) throws PortMappingException {
        return new NatPmpPortMapper(context);
    }
}
