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

    /**
     * Connects to the default gateway with the default options.
     *
     * @return a mapper for the best protocol that answered; close it when done
     * @throws PortMappingException as {@link #connect(DiscoveryOptions)}
     */
    public static PortMapper connect() throws PortMappingException {
        return connect(DiscoveryOptions.defaults());
    }

    /**
     * Probes every allowed protocol on the gateway at once and returns a mapper for the best one that answers:
     * as soon as the most preferred protocol answers, or the grace window after the first answer ends.
     *
     * <p>When that protocol refuses a mapping for good (NOT_AUTHORIZED or UNSUPPORTED: a "half-open" router whose
     * PCP or NAT-PMP answers but refuses every MAP, see docs/quirks.md), {@link PortMapper#map} moves on to the
     * next protocol that answers, and later connects in this process skip the refusing one (for 30 minutes). When
     * every protocol refuses, the exception's {@link PortMappingException#attempts()} holds each one's answer.
     * {@link PortMapper#protocol()} is the protocol the next map goes to.
     *
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway is known or none of the protocols
     *                              answered (the message lists what was tried)
     * @param options which gateway, protocols and timeouts
     * @return a mapper for the best protocol that answered; close it when done
     */
    public static PortMapper connect(DiscoveryOptions options) throws PortMappingException {
        return connect(options, new ProtocolProber(Providers.installed()), GatewayTarget.resolve(options));
    }

    static PortMapper connect(DiscoveryOptions options, ProtocolProber prober, GatewayTarget target)
            throws PortMappingException {
        return FallbackMapper.connect(prober, target, options);
    }

    /**
     * Lists the default gateway and what it speaks, with default options.
     *
     * @return each gateway asked, best route first
     * @throws PortMappingException as {@link #discover(DiscoveryOptions)}
     */
    public static List<Gateway> discover() throws PortMappingException {
        return discover(DiscoveryOptions.defaults());
    }

    /**
     * Probes every allowed protocol on every gateway — the one named in the options, or else every default
     * route's gateway (a second NIC, a VPN), best route first — all at once, waits for all of them (up to the
     * timeout), and reports what answered. An empty protocol map means nothing answered on that gateway.
     *
     * @param options which gateway(s), protocols and timeouts
     * @return each gateway asked, best route first
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when there is no gateway to ask
     */
    public static List<Gateway> discover(DiscoveryOptions options) throws PortMappingException {
        return discover(options, Providers.installed(), candidates(options));
    }

    static List<Gateway> discover(DiscoveryOptions options, List<PortMapperProvider> providers,
            List<GatewayTarget> targets) throws PortMappingException {
        if (targets.isEmpty()) {
            throw TunnelRoutes.gatewayNeeded(null);
        }
        ProtocolProber prober = new ProtocolProber(providers);
        Gateway[] found = new Gateway[targets.size()];
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 1; i < targets.size(); i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    found[n] = prober.discover(targets.get(n), options);
                } catch (PortMappingException e) {
                    // reported as a gateway that speaks nothing
                }
            }, "openport-probe-gw" + n);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        found[0] = prober.discover(targets.get(0), options);
        try {
            for (Thread t : threads) {
                t.join(options.timeout().toMillis() + 1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Gateway> out = new java.util.ArrayList<>();
        for (int i = 0; i < found.length; i++) {
            out.add(found[i] != null ? found[i] : new Gateway(targets.get(i).gateway(), java.util.Map.of(), null));
        }
        return out;
    }

    /** The gateway named in the options, or every distinct default-route gateway with a local address. */
    static List<GatewayTarget> candidates(DiscoveryOptions options) throws PortMappingException {
        if (options.gateway() != null) {
            return List.of(GatewayTarget.resolve(options));
        }
        List<DefaultGateway.Route> routes = new java.util.ArrayList<>(DefaultGateway.routes());
        routes.sort(java.util.Comparator.comparingLong(DefaultGateway.Route::metric));
        java.util.LinkedHashMap<InetAddress, GatewayTarget> out = new java.util.LinkedHashMap<>();
        for (DefaultGateway.Route r : routes) {
            if (out.containsKey(r.gateway())) {
                continue;
            }
            try {
                InetAddress local = options.localAddress() != null ? options.localAddress()
                        : LocalAddress.towards(r.gateway());
                out.put(r.gateway(), new GatewayTarget(r.gateway(), local));
            } catch (PortMappingException e) {
                // no route from here after all (an interface going down): skip it
            }
        }
        return List.copyOf(out.values());
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
