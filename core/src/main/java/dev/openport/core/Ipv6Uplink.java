package dev.openport.core;

import java.net.Inet6Address;
import java.util.Objects;

/**
 * This host's way out over IPv6: the default router, the interface the route leaves by, and the stable global
 * address on that interface that an IPv6 pinhole is opened for (never a temporary privacy address, a unique
 * local or a link-local one). A link-local gateway carries its scope, so a socket can reach it.
 *
 * <pre>{@code
 * LocalNetwork.ipv6Uplink().ifPresent(up -> {
 *     // e.g. fe80::1%eth0 via eth0, pinholes for 2001:db8:1:0:211:22ff:fe33:4455
 *     DiscoveryOptions v6 = DiscoveryOptions.builder()
 *             .gateway(up.gateway()).localAddress(up.localAddress()).build();
 * });
 * }</pre>
 *
 * @param gateway       the IPv6 default router (scoped when link-local)
 * @param interfaceName the interface the default route leaves by (its name; on Windows its index)
 * @param localAddress  the stable global address on that interface
 */
public record Ipv6Uplink(Inet6Address gateway, String interfaceName, Inet6Address localAddress) {
    /**
     * Every component is required.
     *
     * @param gateway       the IPv6 default router (scoped when link-local)
     * @param interfaceName the interface the default route leaves by (its name; on Windows its index)
     * @param localAddress  the stable global address on that interface
     */
    public Ipv6Uplink {
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(localAddress, "localAddress");
    }

    /**
     * {@code base} pointed at this uplink: the IPv6 gateway, the stable address as local (and internal) address,
     * and only the protocols that open IPv6 pinholes (PCP, UPnP WANIPv6FirewallControl; NAT-PMP is IPv4-only).
     * A known UPnP description URL is dropped (it names the IPv4 side). Empty when {@code base} allows neither.
     *
     * @param base the IPv4 discovery options to derive from
     * @return the IPv6 discovery options, or empty
     */
    public java.util.Optional<DiscoveryOptions> discovery(DiscoveryOptions base) {
        java.util.EnumSet<MappingProtocol> p = java.util.EnumSet.noneOf(MappingProtocol.class);
        for (MappingProtocol m : base.protocols()) {
            if (m != MappingProtocol.NAT_PMP) {
                p.add(m);
            }
        }
        if (p.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(base.toBuilder().gateway(gateway).localAddress(localAddress).protocols(p)
                .upnpLocation(null).build());
    }

    @Override
    public String toString() {
        return "IPv6 via " + gateway.getHostAddress() + " on " + interfaceName + ", pinholes for "
                + localAddress.getHostAddress();
    }
}
