package dev.openport.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * One line to open a port and keep it open: finds the gateway, maps on the best protocol it speaks (PCP >
 * NAT-PMP > UPnP, all probed at once), renews in the background, restores the mapping after a router reboot,
 * fails over to another protocol, and deletes it on {@code close()} or JVM exit. When the host has IPv6 (a
 * default route and a stable global address), the IPv6 firewall pinhole for the same port is opened beside
 * the IPv4 mapping ({@link ManagedMapping#ipv6()}); {@link MapOptions.Builder#families} restricts that.
 *
 * <pre>{@code
 * // a game server: TCP and UDP on 25565, for as long as the server runs
 * try (ManagedMapping m = OpenPort.map(25565, Transport.TCP, Transport.UDP)) {
 *     System.out.println("players connect to " + m.external());
 *     server.run();
 * }
 *
 * // with options
 * ManagedMapping m = OpenPort.map(7777, MapOptions.builder()
 *         .lifetime(Duration.ofMinutes(30))
 *         .listener(c -> System.out.println(c.kind() + ": " + c.current().external()))
 *         .build(), Transport.UDP);
 * }</pre>
 */
public final class OpenPort {
    private OpenPort() {
    }

    /** Maps {@code port} of this host for {@code transport}, asking for the same external port. */
    public static ManagedMapping map(Transport transport, int port) throws PortMappingException {
        return map(port, MapOptions.defaults(), transport);
    }

    /** Maps {@code port} for each transport given (e.g. TCP and UDP) under one handle. */
    public static ManagedMapping map(int port, Transport first, Transport... more) throws PortMappingException {
        return map(port, MapOptions.defaults(), first, more);
    }

    /**
     * Maps {@code port} for each transport given, with options. Either every transport is mapped or none is
     * (what was mapped is deleted again before the exception is thrown).
     *
     * Dual stack: succeeds when at least one address family worked; the other one's failure is in
     * {@link ManagedMapping#failures()}.
     *
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no gateway answers, or the gateway's refusal
     */
    public static ManagedMapping map(int port, MapOptions options, Transport first, Transport... more)
            throws PortMappingException {
        return DualStack.map(LeaseManager.shared(), port, options, transports(first, more), LocalNetwork::ipv6Uplink);
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
