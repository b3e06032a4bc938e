package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A gateway found on the network and what it answered.
 *
 * <pre>{@code
 * for (Gateway g : Gateways.discover()) {
 *     System.out.println(g.address() + " speaks " + g.protocols().keySet());
 * }
 * }</pre>
 *
 * @param address         the gateway's LAN address
 * @param protocols       each protocol that answered, with how long its first answer took
 * @param externalAddress the external address it reported, or {@code null}
 */
public record Gateway(InetAddress address, Map<MappingProtocol, Duration> protocols, InetAddress externalAddress) {

    /**
     * Copies the protocol map; the address is required.
     *
     * @param address         the gateway's LAN address
     * @param protocols       each protocol that answered, with how long it took
     * @param externalAddress the external address it reported, or {@code null}
     */
    public Gateway {
        Objects.requireNonNull(address, "address");
        protocols = Map.copyOf(protocols);
    }

    /**
     * The external address, when one was reported.
     *
     * @return the address, or empty
     */
    public Optional<InetAddress> externalAddressIfKnown() {
        return Optional.ofNullable(externalAddress);
    }

    /**
     * Whether {@code protocol} answered.
     *
     * @param protocol the protocol asked about
     * @return {@code true} when it answered the probe
     */
    public boolean speaks(MappingProtocol protocol) {
        return protocols.containsKey(protocol);
    }
}
