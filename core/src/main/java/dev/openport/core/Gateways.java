package dev.openport.core;

import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.util.List;

/**
 * Finds gateways and connects to the best protocol each one speaks.
 *
 * <pre>{@code
 * // the usual case: the default gateway, whichever protocol answers first (PCP > NAT-PMP > UPnP)
 * try (PortMapper mapper = Gateways.connect()) {
 *     System.out.println("external address: " + mapper.externalAddress().getHostAddress());
 * }
 *
 * // for tools: every protocol the gateway answers, with its response time
 * for (Gateway g : Gateways.discover()) {
 *     System.out.println(g.address().getHostAddress() + " " + g.protocols());
 * }
 * }</pre>
 */
public final class Gateways {
    private Gateways() {
    }

    /** Connects to the default gateway with the default options. */
    public static PortMapper connect() throws PortMappingException {
        return connect(DiscoveryOptions.defaults());
    }

    /**
     * Probes every allowed protocol on the gateway at once and returns a mapper for the best one that answers:
     * as soon as the most preferred protocol answers, or the grace window after the first answer ends.
     *
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway is known or none of the protocols
     *                              answered (the message lists what was tried)
     */
    public static PortMapper connect(DiscoveryOptions options) throws PortMappingException {
        return new ProtocolProber(Providers.installed()).connect(GatewayTarget.resolve(options), options);
    }

    /** Lists the default gateway and what it speaks, with default options. */
    public static List<Gateway> discover() throws PortMappingException {
        return discover(DiscoveryOptions.defaults());
    }

    /**
     * Probes every allowed protocol on the gateway, waits for all of them (up to the timeout), and reports
     * what answered. An empty protocol map means nothing answered.
     */
    public static List<Gateway> discover(DiscoveryOptions options) throws PortMappingException {
        return List.of(new ProtocolProber(Providers.installed()).discover(GatewayTarget.resolve(options), options));
    }

    /** Builds the SPI context for one protocol from the options and the resolved gateway. */
    static ProbeContext context(GatewayTarget target, DiscoveryOptions options, PortMapperProvider provider) {
        return new ProbeContext(target.gateway(), target.localAddress(), options.timeout(),
                options.serverPort(provider.protocol()), options.upnpLocation(), options.multicast());
    }

    /** The gateway to talk to and the local address that reaches it. */
    record GatewayTarget(InetAddress gateway, InetAddress localAddress) {
        static GatewayTarget resolve(DiscoveryOptions options) throws PortMappingException {
            InetAddress gw = options.gateway() != null ? options.gateway() : DefaultGateway.find();
            InetAddress local = options.localAddress() != null ? options.localAddress() : LocalAddress.towards(gw);
            return new GatewayTarget(gw, local);
        }
    }
}
