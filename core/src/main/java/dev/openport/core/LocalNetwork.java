package dev.openport.core;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Objects;

/**
 * This host's view of its network: the default gateway, the local address that reaches it, and the address of
 * a named interface (for an {@code --interface} option). Nothing here sends a packet: the routing table is read
 * ({@code /proc/net/route} or {@code ip route} on Linux, {@code route -n get default}/{@code netstat -rn} on
 * macOS and BSD, {@code route print} on Windows; each command limited to 2 s) and a connected UDP socket asks
 * the kernel which source address it would use.
 *
 * <pre>{@code
 * InetAddress gw = LocalNetwork.defaultGateway();              // e.g. 192.168.1.1
 * InetAddress me = LocalNetwork.localAddressTowards(gw);       // e.g. 192.168.1.23
 * // --interface eth1: map to eth1's address, through the default route that leaves by eth1
 * DiscoveryOptions opts = DiscoveryOptions.builder()
 *         .localAddress(LocalNetwork.interfaceAddress("eth1"))
 *         .gateway(LocalNetwork.defaultGateway("eth1"))
 *         .build();
 * }</pre>
 */
public final class LocalNetwork {
    private LocalNetwork() {
    }

    /**
     * The default IPv4 gateway. With several default routes (VPN, second NIC) the one with the lowest metric.
     *
     * @return the gateway's address
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when the routing table has no default route
     */
    public static InetAddress defaultGateway() throws PortMappingException {
        return DefaultGateway.find();
    }

    /**
     * The default IPv4 gateway reached through {@code interfaceName}; when the routing table does not say which
     * interface a route uses (or none leaves by that interface) this is an error, not a silent fallback.
     *
     * @param interfaceName the interface's name (on Windows also its address)
     * @return the gateway's address
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when no default route leaves by that interface
     */
    public static InetAddress defaultGateway(String interfaceName) throws PortMappingException {
        Objects.requireNonNull(interfaceName, "interfaceName");
        InetAddress local = LocalAddress.ofInterface(interfaceName);
        for (DefaultGateway.Route r : DefaultGateway.routes()) {
            // Windows names the interface by its address, the others by name
            if (interfaceName.equals(r.iface()) || local.getHostAddress().equals(r.iface())
                    || sameInterface(interfaceName, r.iface())) {
                return r.gateway();
            }
        }
        throw TunnelRoutes.gatewayNeeded(interfaceName);
    }

    /**
     * The local address the kernel would use to reach {@code gateway}.
     *
     * @param gateway the address to reach
     * @return this host's address on the way there
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when the kernel has no usable route or address for it
     */
    public static InetAddress localAddressTowards(InetAddress gateway) throws PortMappingException {
        return LocalAddress.towards(Objects.requireNonNull(gateway, "gateway"));
    }

    /**
     * The IPv4 address of the named interface (a global address before a link-local one).
     *
     * @param interfaceName the interface's name
     * @return its IPv4 address
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when there is no such interface, it is down, or it
     *                              has no IPv4 address; the message lists the interfaces that have one
     */
    public static InetAddress interfaceAddress(String interfaceName) throws PortMappingException {
        return LocalAddress.ofInterface(interfaceName);
    }

    /**
     * This host's IPv6 way out, when it has one worth a pinhole: an IPv6 default route and a stable global
     * address on that route's interface (not temporary, not unique-local, not link-local, not deprecated).
     * Empty on IPv4-only networks and when only such unusable addresses exist. Reads the routing and address
     * tables like {@link #defaultGateway()}; sends nothing.
     *
     * @return the uplink, or empty
     */
    public static java.util.Optional<Ipv6Uplink> ipv6Uplink() {
        return Ipv6Uplinks.find();
    }

    private static boolean sameInterface(String name, String other) {
        if (other == null) {
            return false;
        }
        try {
            NetworkInterface a = NetworkInterface.getByName(name);
            NetworkInterface b = NetworkInterface.getByName(other);
            return a != null && a.equals(b);
        } catch (SocketException e) {
            return false;
        }
    }
}
