package dev.openport.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One line to open a port and keep it open: finds the gateway, maps on the best protocol it speaks (PCP >
 * NAT-PMP > UPnP, all probed at once), renews in the background, restores the mapping after a router reboot,
 * fails over to another protocol, and deletes it on {@code close()} or JVM exit. When the host has IPv6 (a
 * default route and a stable global address), the IPv6 firewall pinhole for the same port is opened beside
 * the IPv4 mapping ({@link ManagedMapping#ipv6()}); {@link MapOptions.Builder#families} restricts that.
 *
 * <p>Every overload takes its arguments in the same order: the transport(s), then the port, then the options.
 *
 * <pre>{@code
 * // the common case
 * try (ManagedMapping m = OpenPort.map(Transport.TCP, 25565)) {
 *     System.out.println("players connect to " + m.external());
 *     server.run();
 * }
 *
 * // a game server: TCP and UDP on 25565 under one handle, with options
 * ManagedMapping m = OpenPort.map(EnumSet.of(Transport.TCP, Transport.UDP), 25565, MapOptions.builder()
 *         .lifetime(Duration.ofMinutes(30))
 *         .listener(c -> System.out.println(c.kind() + ": " + c.current().external()))
 *         .build());
 *
 * // without blocking start-up: the mapping is made on an openport-* daemon thread
 * CompletableFuture<ManagedMapping> pending = OpenPort.mapAsync(Transport.UDP, 7777);
 * pending.whenComplete((mapping, error) -> log.info("mapped: {}", mapping != null ? mapping.external() : error));
 * }</pre>
 */
public final class OpenPort {
    private OpenPort() {
    }

    /**
     * Maps {@code port} of this host for {@code transport}, asking for the same external port.
     *
     * @param transport TCP or UDP
     * @param port      the local port (1-65535), also the external port asked for
     * @return the handle that keeps the mapping alive until {@link ManagedMapping#close()}
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway answers, or the gateway's refusal
     */
    public static ManagedMapping map(Transport transport, int port) throws PortMappingException {
        return map(transport, port, MapOptions.defaults());
    }

    /**
     * Maps {@code port} for {@code transport}, with options.
     *
     * @param transport TCP or UDP
     * @param port      the local port (1-65535), also the external port asked for
     * @param options   lifetime, listener, discovery and the other choices
     * @return the handle that keeps the mapping alive until {@link ManagedMapping#close()}
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway answers, or the gateway's refusal
     */
    public static ManagedMapping map(Transport transport, int port, MapOptions options)
            throws PortMappingException {
        return map(EnumSet.of(Objects.requireNonNull(transport, "transport")), port, options);
    }

    /**
     * Maps {@code port} for each transport given (e.g. TCP and UDP) under one handle.
     *
     * @param transports one or more transports, e.g. {@code EnumSet.of(Transport.TCP, Transport.UDP)}
     * @param port       the local port (1-65535), also the external port asked for
     * @return the handle that keeps every mapping alive until {@link ManagedMapping#close()}
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway answers, or the gateway's refusal
     */
    public static ManagedMapping map(Set<Transport> transports, int port) throws PortMappingException {
        return map(transports, port, MapOptions.defaults());
    }

    /**
     * Maps {@code port} for each transport given, with options. Either every transport is mapped or none is
     * (what was mapped is deleted again before the exception is thrown).
     *
     * <p>Dual stack: succeeds when at least one address family worked; the other one's failure is in
     * {@link ManagedMapping#failures()}.
     *
     * @param transports one or more transports, e.g. {@code EnumSet.of(Transport.TCP, Transport.UDP)}
     * @param port       the local port (1-65535), also the external port asked for
     * @param options    lifetime, listener, discovery and the other choices
     * @return the handle that keeps every mapping alive until {@link ManagedMapping#close()}
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway answers, or the gateway's refusal
     */
    public static ManagedMapping map(Set<Transport> transports, int port, MapOptions options)
            throws PortMappingException {
        Objects.requireNonNull(options, "options");
        return DualStack.map(LeaseManager.shared(), port, options, transports(transports), LocalNetwork::ipv6Uplink);
    }

    /**
     * {@link #map(Transport, int)} without blocking the caller.
     *
     * @param transport TCP or UDP
     * @param port      the local port (1-65535), also the external port asked for
     * @return completes with the handle, or exceptionally with the {@link PortMappingException}
     * @see #mapAsync(Set, int, MapOptions)
     */
    public static CompletableFuture<ManagedMapping> mapAsync(Transport transport, int port) {
        return mapAsync(transport, port, MapOptions.defaults());
    }

    /**
     * {@link #map(Transport, int, MapOptions)} without blocking the caller.
     *
     * @param transport TCP or UDP
     * @param port      the local port (1-65535), also the external port asked for
     * @param options   lifetime, listener, discovery and the other choices
     * @return completes with the handle, or exceptionally with the {@link PortMappingException}
     * @see #mapAsync(Set, int, MapOptions)
     */
    public static CompletableFuture<ManagedMapping> mapAsync(Transport transport, int port, MapOptions options) {
        return mapAsync(EnumSet.of(Objects.requireNonNull(transport, "transport")), port, options);
    }

    /**
     * {@link #map(Set, int)} without blocking the caller.
     *
     * @param transports one or more transports, e.g. {@code EnumSet.of(Transport.TCP, Transport.UDP)}
     * @param port       the local port (1-65535), also the external port asked for
     * @return completes with the handle, or exceptionally with the {@link PortMappingException}
     * @see #mapAsync(Set, int, MapOptions)
     */
    public static CompletableFuture<ManagedMapping> mapAsync(Set<Transport> transports, int port) {
        return mapAsync(transports, port, MapOptions.defaults());
    }

    /**
     * {@link #map(Set, int, MapOptions)} without blocking the caller, for servers that must not wait for the
     * router during start-up. The mapping is made on its own daemon thread (named {@code openport-map-async-N},
     * never the common pool), which ends when the future completes. The future completes with the handle, or
     * exceptionally with the {@link PortMappingException} {@code map} would have thrown. Cancelling it before it
     * completes leaves nothing behind: a mapping that is made after the cancel is closed at once. Once it has
     * completed, the handle is the caller's to close.
     *
     * <pre>{@code
     * CompletableFuture<ManagedMapping> pending = OpenPort.mapAsync(EnumSet.of(Transport.TCP, Transport.UDP), 25565,
     *         MapOptions.defaults());
     * server.start(); // does not wait for the router
     * pending.thenAccept(m -> log.info("reachable at {}", m.external()))
     *        .exceptionally(e -> { log.warn("port not opened: {}", e.getMessage()); return null; });
     * // on shutdown: cancel if still pending, else close
     * if (!pending.cancel(false)) { pending.thenAccept(ManagedMapping::close); }
     * }</pre>
     *
     * @param transports one or more transports, e.g. {@code EnumSet.of(Transport.TCP, Transport.UDP)}
     * @param port       the local port (1-65535), also the external port asked for
     * @param options    lifetime, listener, discovery and the other choices
     * @return completes with the handle, or exceptionally with the {@link PortMappingException}
     */
    public static CompletableFuture<ManagedMapping> mapAsync(Set<Transport> transports, int port,
            MapOptions options) {
        List<Transport> list = transports(transports); // argument errors are thrown here, not in the future
        Objects.requireNonNull(options, "options");
        return AsyncMap.start(() -> DualStack.map(LeaseManager.shared(), port, options, list,
                LocalNetwork::ipv6Uplink));
    }

    /** The transports in a stable order (TCP before UDP), checked: at least one, no null. */
    static List<Transport> transports(Set<Transport> transports) {
        Objects.requireNonNull(transports, "transports");
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("no transport given");
        }
        List<Transport> out = new ArrayList<>();
        for (Transport t : Transport.values()) {
            if (transports.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    static List<Transport> transports(Transport first, Transport... more) {
        Objects.requireNonNull(first, "transport");
        EnumSet<Transport> seen = EnumSet.of(first);
        List<Transport> out = new ArrayList<>(List.of(first));
        for (Transport t : more) {
            if (seen.add(Objects.requireNonNull(t, "transport"))) {
                out.add(t);
            }
        }
        return out;
    }
}
