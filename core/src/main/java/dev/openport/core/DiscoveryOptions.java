package dev.openport.core;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to find and talk to a gateway. The defaults suit almost everyone: the system's default gateway, every
 * protocol, a 3-second deadline.
 *
 * <pre>{@code
 * DiscoveryOptions opts = DiscoveryOptions.builder()
 *         .gateway(InetAddress.getByName("192.168.1.1"))     // skip default-gateway detection
 *         .protocols(MappingProtocol.NAT_PMP, MappingProtocol.PCP)
 *         .timeout(Duration.ofSeconds(2))
 *         .build();
 * try (PortMapper mapper = Gateways.connect(opts)) { ... }
 * }</pre>
 *
 * <p>Built with {@link #builder()} (or {@link #toBuilder()}) only, so an option added later breaks no caller.
 * Immutable; equal options share one gateway session in the lease manager.
 */
public final class DiscoveryOptions {

    /** The default operation deadline. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    /**
     * The default wait for a preferred protocol after the first answer. A healthy gateway answers PCP and
     * NAT-PMP within a millisecond of each other, but in a cold JVM loading one protocol's classes can take
     * tens of ms: 20 ms let NAT-PMP win over PCP by class loading alone. The wait ends early once nothing
     * better is still out, so it costs time only when a preferred protocol stays silent.
     */
    public static final Duration DEFAULT_GRACE = Duration.ofMillis(100);

    private final InetAddress gateway;
    private final InetAddress localAddress;
    private final Duration timeout;
    private final Set<MappingProtocol> protocols;
    private final Map<MappingProtocol, Integer> serverPorts;
    private final URI upnpLocation;
    private final boolean multicast;
    private final Duration graceWindow;

    /** Checks and completes the options; {@code null} for a set, map or the grace window means its default. */
    private DiscoveryOptions(InetAddress gateway, InetAddress localAddress, Duration timeout,
            Set<MappingProtocol> protocols, Map<MappingProtocol, Integer> serverPorts, URI upnpLocation,
            boolean multicast, Duration graceWindow) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.gateway = gateway;
        this.localAddress = localAddress;
        this.timeout = timeout;
        this.protocols = protocols == null || protocols.isEmpty() ? Set.copyOf(EnumSet.allOf(MappingProtocol.class))
                : Set.copyOf(protocols);
        this.serverPorts = serverPorts == null ? Map.of() : Map.copyOf(serverPorts);
        this.upnpLocation = upnpLocation;
        this.multicast = multicast;
        this.graceWindow = graceWindow == null ? DEFAULT_GRACE : graceWindow;
        if (this.graceWindow.isNegative()) {
            throw new IllegalArgumentException("grace window must not be negative");
        }
    }

    /** {@return the gateway to use, or {@code null} to detect the default gateway} */
    public InetAddress gateway() {
        return gateway;
    }

    /** {@return this host's address to map to, or {@code null} for the one that routes to the gateway} */
    public InetAddress localAddress() {
        return localAddress;
    }

    /** {@return the deadline of each operation (probe, map, unmap)} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return the protocols to try (an unmodifiable, non-empty set)} */
    public Set<MappingProtocol> protocols() {
        return protocols;
    }

    /** {@return the non-standard server ports per protocol (tests, unusual gateways); a missing one is standard} */
    public Map<MappingProtocol, Integer> serverPorts() {
        return serverPorts;
    }

    /** {@return a known UPnP description URL that skips SSDP, or {@code null}} */
    public URI upnpLocation() {
        return upnpLocation;
    }

    /** {@return whether multicast may be used (SSDP search, PCP ANNOUNCE listening)} */
    public boolean multicast() {
        return multicast;
    }

    /** {@return how long to wait for a preferred protocol (PCP, then NAT-PMP, then UPnP) after the first answer} */
    public Duration graceWindow() {
        return graceWindow;
    }

    /**
     * The defaults: default gateway, all protocols, 3 s, multicast on.
     *
     * @return options equal to {@code builder().build()}
     */
    public static DiscoveryOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults; set only what differs.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where {@code protocol}'s server listens on the gateway, when it is not the standard port.
     *
     * @param protocol the protocol
     * @return the port set with {@link Builder#serverPort}, or 0 for the protocol's standard port
     */
    public int serverPort(MappingProtocol protocol) {
        return serverPorts.getOrDefault(protocol, 0);
    }

    /**
     * A builder initialised from these options, to derive options that differ in one setting.
     *
     * @return a new builder holding these options
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.gateway = gateway;
        b.localAddress = localAddress;
        b.timeout = timeout;
        b.protocols = EnumSet.copyOf(protocols);
        b.serverPorts.putAll(serverPorts);
        b.upnpLocation = upnpLocation;
        b.multicast = multicast;
        b.graceWindow = graceWindow;
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiscoveryOptions d && Objects.equals(gateway, d.gateway)
                && Objects.equals(localAddress, d.localAddress) && timeout.equals(d.timeout)
                && protocols.equals(d.protocols) && serverPorts.equals(d.serverPorts)
                && Objects.equals(upnpLocation, d.upnpLocation) && multicast == d.multicast
                && graceWindow.equals(d.graceWindow);
    }

    @Override
    public int hashCode() {
        return Objects.hash(gateway, localAddress, timeout, protocols, serverPorts, upnpLocation, multicast,
                graceWindow);
    }

    @Override
    public String toString() {
        return "DiscoveryOptions[gateway=" + gateway + ", localAddress=" + localAddress + ", timeout=" + timeout
                + ", protocols=" + protocols + ", serverPorts=" + serverPorts + ", upnpLocation=" + upnpLocation
                + ", multicast=" + multicast + ", graceWindow=" + graceWindow + "]";
    }

    /** Builds {@link DiscoveryOptions}. */
    public static final class Builder {
        private InetAddress gateway;
        private InetAddress localAddress;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Set<MappingProtocol> protocols = EnumSet.allOf(MappingProtocol.class);
        private final Map<MappingProtocol, Integer> serverPorts = new EnumMap<>(MappingProtocol.class);
        private URI upnpLocation;
        private boolean multicast = true;
        private Duration graceWindow = DEFAULT_GRACE;

        private Builder() {
        }

        /**
         * Use this gateway instead of the detected default gateway (a VPN's gateway, a router that is not the
         * default route, a test fake).
         *
         * @param value the gateway's address, or {@code null} to detect it
         * @return this builder
         */
        public Builder gateway(InetAddress value) {
            this.gateway = value;
            return this;
        }

        /**
         * Map to this local address instead of the one that routes to the gateway (a host with several).
         *
         * @param value this host's address, or {@code null} for the one routing to the gateway
         * @return this builder
         */
        public Builder localAddress(InetAddress value) {
            this.localAddress = value;
            return this;
        }

        /**
         * The deadline of each operation (probe, map, unmap): how long a gateway that does not answer may block.
         *
         * @param value a positive duration (default {@link #DEFAULT_TIMEOUT})
         * @return this builder
         */
        public Builder timeout(Duration value) {
            this.timeout = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Try only these protocols.
         *
         * @param first a protocol to try
         * @param rest  more protocols; the order does not set a preference (PCP, then NAT-PMP, then UPnP)
         * @return this builder
         */
        public Builder protocols(MappingProtocol first, MappingProtocol... rest) {
            this.protocols = EnumSet.of(first, rest);
            return this;
        }

        /**
         * Try only these protocols.
         *
         * @param value the protocols to try; empty = all
         * @return this builder
         */
        public Builder protocols(Set<MappingProtocol> value) {
            this.protocols = value.isEmpty() ? EnumSet.allOf(MappingProtocol.class) : EnumSet.copyOf(value);
            return this;
        }

        /**
         * Talk to {@code protocol}'s server on {@code port} instead of the standard port (tests, unusual gateways).
         *
         * @param protocol the protocol whose port this is
         * @param port     the server's port on the gateway (for UPnP: the SSDP port)
         * @return this builder
         */
        public Builder serverPort(MappingProtocol protocol, int port) {
            this.serverPorts.put(protocol, port);
            return this;
        }

        /**
         * Use this UPnP description URL instead of searching with SSDP (a network that drops multicast).
         *
         * @param value the gateway's description URL, or {@code null} to search
         * @return this builder
         */
        public Builder upnpLocation(URI value) {
            this.upnpLocation = value;
            return this;
        }

        /**
         * Allow or forbid multicast (SSDP search, PCP ANNOUNCE listening); off, UPnP needs a known gateway.
         *
         * @param value {@code true} (default) to allow multicast
         * @return this builder
         */
        public Builder multicast(boolean value) {
            this.multicast = value;
            return this;
        }

        /**
         * After the first answer, wait this long for a preferred protocol before settling on a lesser one.
         *
         * @param value not negative (default {@link #DEFAULT_GRACE}); zero takes the first that answers
         * @return this builder
         */
        public Builder graceWindow(Duration value) {
            this.graceWindow = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The options set so far.
         *
         * @return the options
         * @throws IllegalArgumentException when the timeout is not positive or the grace window negative
         */
        public DiscoveryOptions build() {
            return new DiscoveryOptions(gateway, localAddress, timeout, protocols, serverPorts, upnpLocation,
                    multicast, graceWindow);
        }
    }
}
