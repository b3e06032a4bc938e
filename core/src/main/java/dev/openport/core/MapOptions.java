package dev.openport.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * How {@link OpenPort#map} maps and manages a port. The defaults suit a game server: the same external port as
 * the internal one (another one when it is taken), a 2-hour lease renewed at half-time (at least every 5
 * minutes), read back every 30 s, deleted on {@code close()} and at JVM exit. Built with {@link #builder()} only,
 * so an option added later breaks no caller. Immutable and thread-safe.
 *
 * <pre>{@code
 * MapOptions opts = MapOptions.builder()
 *         .externalPort(25565).exactExternalPort(true)       // fail rather than take another port
 *         .lifetime(Duration.ofHours(1))
 *         .description("my game")
 *         .protocols(MappingProtocol.PCP, MappingProtocol.UPNP)
 *         .listener(change -> System.out.println(change))
 *         .build();
 * try (ManagedMapping m = OpenPort.map(EnumSet.of(Transport.TCP, Transport.UDP), 25565, opts)) { ... }
 * }</pre>
 */
public final class MapOptions {

    /** The default check interval: short enough for routers that purge their table every 600 s. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMinutes(5);
    /**
     * The default verify interval: a silently dropped mapping is re-added within 60 s even when the first repair
     * attempt fails (each check is spread by up to half of it, so many mappings never check in step).
     */
    public static final Duration DEFAULT_VERIFY_INTERVAL = Duration.ofSeconds(30);

    private final int externalPort;
    private final boolean exactExternalPort;
    private final Duration lifetime;
    private final String description;
    private final InetAddress internalAddress;
    private final DiscoveryOptions discovery;
    private final MappingListener listener;
    private final Executor listenerExecutor;
    private final Duration checkInterval;
    private final boolean cleanupOnExit;
    private final Set<AddressFamily> families;
    private final Duration verifyInterval;

    /** Checks and completes the options; {@code null} for an object means its default. Only the builder calls it. */
    private MapOptions(int externalPort, boolean exactExternalPort, Duration lifetime, String description,
            InetAddress internalAddress, DiscoveryOptions discovery, MappingListener listener,
            Executor listenerExecutor, Duration checkInterval, boolean cleanupOnExit, Set<AddressFamily> families,
            Duration verifyInterval) {
        if (externalPort < 0 || externalPort > 65535) {
            throw new IllegalArgumentException("external port must be 0-65535, was " + externalPort);
        }
        this.externalPort = externalPort;
        this.exactExternalPort = exactExternalPort;
        this.lifetime = lifetime == null ? MappingRequest.DEFAULT_LIFETIME : lifetime;
        this.description = description == null ? MappingRequest.DEFAULT_DESCRIPTION : description;
        this.internalAddress = internalAddress;
        this.discovery = discovery == null ? DiscoveryOptions.defaults() : discovery;
        this.listener = listener;
        this.listenerExecutor = listenerExecutor;
        this.checkInterval = checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval;
        this.cleanupOnExit = cleanupOnExit;
        this.families = families == null || families.isEmpty() ? Set.of(AddressFamily.IPV4, AddressFamily.IPV6)
                : Set.copyOf(families);
        if (this.checkInterval.compareTo(Backoff.MIN_RENEW) < 0) {
            throw new IllegalArgumentException("check interval must be at least 500 ms, was " + checkInterval);
        }
        this.verifyInterval = verifyInterval == null ? DEFAULT_VERIFY_INTERVAL : verifyInterval;
        if (!this.verifyInterval.isZero() && this.verifyInterval.compareTo(Backoff.MIN_RENEW) < 0) {
            throw new IllegalArgumentException("verify interval must be 0 (never) or at least 500 ms, was "
                    + verifyInterval);
        }
        // fail at build time, not at map time: the request checks lifetime and description
        new MappingRequest(Transport.TCP, 1, internalAddress, externalPort == 0 ? 1 : externalPort,
                exactExternalPort, this.lifetime, this.description);
    }

    /** {@return the external port to ask for: 1-65535, or 0 for the same as the internal port} */
    public int externalPort() {
        return externalPort;
    }

    /** {@return whether another external port than asked is refused (with {@code CONFLICT})} */
    public boolean exactExternalPort() {
        return exactExternalPort;
    }

    /** {@return the lease to ask for ({@link Duration#ZERO}: a permanent UPnP entry), renewed at half-time} */
    public Duration lifetime() {
        return lifetime;
    }

    /** {@return the label the router shows for the entry (UPnP)} */
    public String description() {
        return description;
    }

    /** {@return the LAN address to forward to, or {@code null} for this host} */
    public InetAddress internalAddress() {
        return internalAddress;
    }

    /** {@return how to find and talk to the gateway} */
    public DiscoveryOptions discovery() {
        return discovery;
    }

    /** {@return the listener told about changes from the first mapping on, or {@code null}} */
    public MappingListener listener() {
        return listener;
    }

    /** {@return where listeners run, or {@code null} for the lease thread} */
    public Executor listenerExecutor() {
        return listenerExecutor;
    }

    /**
     * {@return the longest time between renewals, however long the lease: a router that reboots silently loses the
     * mapping for at most this long}
     */
    public Duration checkInterval() {
        return checkInterval;
    }

    /** {@return whether a JVM shutdown hook deletes the mapping if it is still open at exit} */
    public boolean cleanupOnExit() {
        return cleanupOnExit;
    }

    /**
     * {@return the address families to open the port on (the IPv6 pinhole needs an IPv6 uplink and no named gateway)}
     */
    public Set<AddressFamily> families() {
        return families;
    }

    /**
     * {@return how often the mapping and the external address are read back, so a silent drop, WAN renumbering or a
     * stale client is repaired within about this long ({@link Duration#ZERO}: never; docs/quirks.md)}
     */
    public Duration verifyInterval() {
        return verifyInterval;
    }

    /**
     * The defaults, as the class comment lists them.
     *
     * @return options equal to {@code builder().build()}
     */
    public static MapOptions defaults() {
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

    /** The request for one transport of {@code internalPort}. */
    MappingRequest request(Transport transport, int internalPort) {
        int ext = externalPort == 0 ? internalPort : externalPort;
        return new MappingRequest(transport, internalPort, internalAddress, ext, exactExternalPort, lifetime,
                description);
    }

    /** These options with another discovery, on one family (the IPv6 half of a dual-stack map). */
    MapOptions forFamily(AddressFamily family, DiscoveryOptions value) {
        return new MapOptions(externalPort, exactExternalPort, lifetime, description, internalAddress, value,
                listener, listenerExecutor, checkInterval, cleanupOnExit, Set.of(family), verifyInterval);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapOptions m && externalPort == m.externalPort && exactExternalPort == m.exactExternalPort
                && cleanupOnExit == m.cleanupOnExit && lifetime.equals(m.lifetime) && description.equals(m.description)
                && Objects.equals(internalAddress, m.internalAddress) && discovery.equals(m.discovery)
                && Objects.equals(listener, m.listener) && Objects.equals(listenerExecutor, m.listenerExecutor)
                && checkInterval.equals(m.checkInterval) && families.equals(m.families)
                && verifyInterval.equals(m.verifyInterval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(externalPort, exactExternalPort, lifetime, description, internalAddress, discovery,
                listener, listenerExecutor, checkInterval, cleanupOnExit, families, verifyInterval);
    }

    @Override
    public String toString() { // the settings that decide behaviour; listeners and executors print as noise
        return "MapOptions[externalPort=" + externalPort + (exactExternalPort ? " exact" : "") + ", lifetime="
                + lifetime + ", checkInterval=" + checkInterval + ", verifyInterval=" + verifyInterval + ", families="
                + families + ", internalAddress=" + internalAddress + ", cleanupOnExit=" + cleanupOnExit + ", "
                + discovery + "]";
    }

    /** Builds {@link MapOptions}. */
    public static final class Builder {
        private int externalPort;
        private boolean exactExternalPort;
        private Duration lifetime = MappingRequest.DEFAULT_LIFETIME;
        private String description = MappingRequest.DEFAULT_DESCRIPTION;
        private InetAddress internalAddress;
        private DiscoveryOptions discovery = DiscoveryOptions.defaults();
        private MappingListener listener;
        private Executor listenerExecutor;
        private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
        private boolean cleanupOnExit = true;
        private Set<AddressFamily> families = Set.of(AddressFamily.IPV4, AddressFamily.IPV6);
        private Duration verifyInterval = DEFAULT_VERIFY_INTERVAL;

        private Builder() {
        }

        /**
         * Ask for this external port instead of the internal one (a server behind a port it cannot listen on).
         *
         * @param port 1-65535, or 0 for the same as the internal port
         * @return this builder
         */
        public Builder externalPort(int port) {
            this.externalPort = port;
            return this;
        }

        /**
         * Fail with {@code CONFLICT} rather than accept another external port, for services whose port is
         * published (a DNS SRV record, a port in a config file).
         *
         * @param exact {@code true} to refuse any other port; {@code false} (default) to take what the gateway gives
         * @return this builder
         */
        public Builder exactExternalPort(boolean exact) {
            this.exactExternalPort = exact;
            return this;
        }

        /**
         * The lease to ask for; openport renews at half of what the gateway grants, so a shorter lease only means
         * a mapping left behind by a crash disappears sooner.
         *
         * @param value the lease; {@link Duration#ZERO} asks UPnP for a permanent entry
         * @return this builder
         */
        public Builder lifetime(Duration value) {
            this.lifetime = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The label the router shows for the entry (UPnP), so its owner can tell what opened the port.
         *
         * @param value a short label; {@code null} = "openport"
         * @return this builder
         */
        public Builder description(String value) {
            this.description = value;
            return this;
        }

        /**
         * Forward to this LAN address instead of this host (most gateways allow it only for the asking host).
         *
         * @param value a LAN address; {@code null} = this host's address towards the gateway
         * @return this builder
         */
        public Builder internalAddress(InetAddress value) {
            this.internalAddress = value;
            return this;
        }

        /**
         * How to find and talk to the gateway (a known gateway address, protocols, timeouts).
         *
         * @param value the discovery options; replaces any set by {@link #protocols}
         * @return this builder
         */
        public Builder discovery(DiscoveryOptions value) {
            this.discovery = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Use only these protocols (shorthand for a {@link DiscoveryOptions} with these protocols).
         *
         * @param first a protocol to use
         * @param rest  more protocols to use; the order does not set a preference
         * @return this builder
         */
        public Builder protocols(MappingProtocol first, MappingProtocol... rest) {
            this.discovery = discovery.toBuilder().protocols(first, rest).build();
            return this;
        }

        /**
         * Use only these protocols.
         *
         * @param value the protocols to use, not empty
         * @return this builder
         */
        public Builder protocols(Set<MappingProtocol> value) {
            this.discovery = discovery.toBuilder().protocols(value).build();
            return this;
        }

        /**
         * Told about changes from the first mapping on (a listener added later with
         * {@link ManagedMapping#addListener} could miss one that happens during {@code map}).
         *
         * @param value the listener, or {@code null} for none
         * @return this builder
         */
        public Builder listener(MappingListener value) {
            this.listener = value;
            return this;
        }

        /**
         * Run listeners on this executor instead of the lease thread, for listeners that block or take long (the
         * lease thread serves every mapping of the process).
         *
         * @param value the executor, or {@code null} for the lease thread
         * @return this builder
         */
        public Builder listenerExecutor(Executor value) {
            this.listenerExecutor = value;
            return this;
        }

        /**
         * Renew at least this often, even when the lease is longer: a router that reboots without telling
         * anyone loses the mapping for at most this long.
         *
         * @param value at least 500 ms (default {@link #DEFAULT_CHECK_INTERVAL})
         * @return this builder
         */
        public Builder checkInterval(Duration value) {
            this.checkInterval = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Read the mapping and the external address back this often, to catch silent drops and WAN renumbering.
         *
         * @param value at least 500 ms (default {@link #DEFAULT_VERIFY_INTERVAL}), or {@link Duration#ZERO} for never
         * @return this builder
         */
        public Builder verifyInterval(Duration value) {
            this.verifyInterval = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Whether a JVM shutdown hook deletes the mapping if it is still open at exit, so a killed server does
         * not leave its port open on the router.
         *
         * @param value {@code true} (default) to delete at exit; {@code false} to leave it to its lease
         * @return this builder
         */
        public Builder cleanupOnExit(boolean value) {
            this.cleanupOnExit = value;
            return this;
        }

        /**
         * Open the port only on these address families (default both; {@code families(AddressFamily.IPV4)} is
         * the CLI's {@code -4}).
         *
         * @param first an address family to open the port on
         * @param more  more families
         * @return this builder
         */
        public Builder families(AddressFamily first, AddressFamily... more) {
            java.util.EnumSet<AddressFamily> s = java.util.EnumSet.of(Objects.requireNonNull(first, "family"), more);
            this.families = Set.copyOf(s);
            return this;
        }

        /**
         * The options set so far.
         *
         * @return the options
         * @throws IllegalArgumentException when a port is outside 0-65535, an interval is below 500 ms, or the
         *                                  lease or description would not make a valid {@link MappingRequest}
         */
        public MapOptions build() {
            return new MapOptions(externalPort, exactExternalPort, lifetime, description, internalAddress,
                    discovery, listener, listenerExecutor, checkInterval, cleanupOnExit, families, verifyInterval);
        }
    }
}
