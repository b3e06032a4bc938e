package dev.openport.core.spi;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;

/**
 * How a protocol module plugs into core. Implementations are found with {@link java.util.ServiceLoader}: list
 * the class in {@code META-INF/services/dev.openport.core.spi.PortMapperProvider}. Core never imports a
 * protocol module.
 *
 * <pre>{@code
 * public final class NatPmpProvider implements PortMapperProvider {
 *     public MappingProtocol protocol() { return MappingProtocol.NAT_PMP; }
 *     public PortMapper probe(ProbeContext ctx) throws PortMappingException { ... }
 * }
 * }</pre>
 */
public interface PortMapperProvider {

    /**
     * The protocol this provider speaks; core keeps one provider per protocol.
     *
     * @return the protocol
     */
    MappingProtocol protocol();

    /**
     * Checks, within {@link ProbeContext#timeout()}, that the gateway speaks this protocol, and returns a mapper
     * ready to use. Must honour {@link Thread#interrupt()} (core cancels the losing probes).
     *
     * @param context the gateway, local address, timeout and options to probe with
     * @return a mapper for the gateway; the caller closes it
     * @throws PortMappingException {@code UNSUPPORTED} when the gateway answered that it does not speak it,
     *                              {@code TIMEOUT} when nothing answered, {@code GATEWAY_NOT_FOUND} when there
     *                              is nothing to ask
     */
    PortMapper probe(ProbeContext context) throws PortMappingException;

    /**
     * Returns a mapper for the gateway without checking first, so the first real request is also the probe
     * (the fast path when the user named the protocol). The default probes.
     *
     * @param context the gateway, local address, timeout and options to use
     * @return a mapper for the gateway; the caller closes it
     * @throws PortMappingException as {@link #probe} when the provider has to ask first
     */
    default PortMapper open(ProbeContext context) throws PortMappingException {
        return probe(context);
    }
}
