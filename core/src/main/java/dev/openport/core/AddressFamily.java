package dev.openport.core;

/**
 * IPv4 or IPv6. {@link OpenPort#map} opens a port on both by default: the IPv4 mapping through the NAT and, when
 * the host has IPv6, the IPv6 firewall pinhole for the same port ({@link MapOptions.Builder#families}).
 *
 * <pre>{@code
 * ManagedMapping m = OpenPort.map(Transport.TCP, 25565,
 *         MapOptions.builder().families(AddressFamily.IPV4).build());   // no IPv6 pinhole
 * m.failures().forEach((family, why) -> log.warn(family.displayName() + " not opened: " + why.getMessage()));
 * }</pre>
 */
public enum AddressFamily {
    /** IPv4: a port mapping through the router's NAT. */
    IPV4,
    /** IPv6: a pinhole in the router's firewall for this host's stable global address (nothing is translated). */
    IPV6;

    /**
     * The family's name for messages.
     *
     * @return "IPv4" or "IPv6"
     */
    public String displayName() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
