package dev.openport.core.spi;

import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;

/**
 * What the UDP protocol modules' {@link PortMapperProvider#probe} share: open a mapper, run one exchange on it
 * as the probe, and hand the mapper out only when that worked. A failed probe closes the mapper, so it leaves no
 * socket, thread or listener behind; core tries the next protocol and never sees that mapper.
 *
 * <pre>{@code
 * public PortMapper probe(ProbeContext context) throws PortMappingException {
 *     return ProbeExchange.run(new PcpPortMapper(context), PcpPortMapper::announce);
 * }
 * }</pre>
 */
public final class ProbeExchange {
    private ProbeExchange() {
    }

    /**
     * The exchange that proves a gateway speaks the protocol.
     *
     * @param <M> the protocol module's mapper type
     */
    @FunctionalInterface
    public interface Step<M> {
        /**
         * Runs the probing exchange.
         *
         * @param mapper the freshly opened mapper to run it on
         * @throws PortMappingException when the gateway does not answer in this protocol, or refuses
         */
        void run(M mapper) throws PortMappingException;
    }

    /**
     * Runs {@code probe} on {@code mapper}; closes the mapper if the probe throws.
     *
     * @param <M>    the protocol module's mapper type
     * @param mapper a freshly opened mapper, not yet handed to anyone
     * @param probe  the probing exchange
     * @return {@code mapper}, after {@code probe} succeeded on it
     * @throws PortMappingException what the probe threw, after the mapper was closed
     */
    public static <M extends PortMapper> M run(M mapper, Step<? super M> probe) throws PortMappingException {
        try {
            probe.run(mapper);
            return mapper;
        } catch (PortMappingException | RuntimeException e) {
            mapper.close();
            throw e;
        }
    }
}
