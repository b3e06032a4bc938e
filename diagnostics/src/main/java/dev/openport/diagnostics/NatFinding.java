package dev.openport.diagnostics;

/**
 * What {@link Diagnostics} concluded about the path from the internet to this host, with the advice that
 * follows from it.
 *
 * <pre>{@code
 * DiagnosticReport r = Diagnostics.run(DiscoveryOptions.defaults(), PublicAddressQuery.defaults());
 * if (r.finding() != NatFinding.AGREE) {
 *     System.err.println(r.finding().summary() + " — " + r.finding().advice());
 * }
 * }</pre>
 */
public enum NatFinding {
    /** The gateway's external address is public and the internet sees the same address. */
    AGREE("agree", "the router's external address is what the internet sees", null),
    /** The gateway's external address is public, but the public-address check could not run or failed. */
    UNVERIFIED("unverified", "the router's external address is public; no resolver confirmed it",
            "ask a DNS resolver that answers \"what is my IP\" queries (a PublicAddressQuery) to confirm it"),
    /** The gateway's external address is public but the internet sees another one. */
    DISAGREE("disagree", "the internet sees another address than the router's external address",
            "another NAT sits upstream (an ISP NAT with a public-looking pool, or a second router), or traffic "
                    + "leaves by another link (a VPN, a second uplink): mappings on this router may not be "
                    + "reachable"),
    /** The gateway's external address is in 100.64.0.0/10: the ISP's carrier-grade NAT is upstream. */
    CGNAT("cgnat", "carrier-grade NAT: the router's external address is in 100.64.0.0/10 (RFC 6598)",
            "mappings on this router alone are not reachable from the internet: ask your ISP for a public IPv4 "
                    + "address (or use IPv6); if the ISP's CGNAT answers PCP, a PCP client on the router can "
                    + "map a port there"),
    /** The gateway's external address is private: another router sits in front of it. */
    DOUBLE_NAT("double-nat", "double NAT: the router's external address is private",
            "another router (often the ISP's modem) sits in front of this one: put that one in bridge mode, "
                    + "or forward the port on it too, to this router's external address"),
    /** The gateway reports no usable external address (unspecified, loopback or link-local). */
    NO_WAN_ADDRESS("no-wan-address", "the router reports no usable external address",
            "the router's internet link is down or not configured: check its WAN connection"),
    /** No gateway answered, or none reported an external address. */
    UNKNOWN("unknown", "no gateway reported an external address",
            "is UPnP/NAT-PMP/PCP enabled on your router?");

    private final String id;
    private final String summary;
    private final String advice;

    NatFinding(String id, String summary, String advice) {
        this.id = id;
        this.summary = summary;
        this.advice = advice;
    }

    /**
     * A stable lower-case name for machine-readable output.
     *
     * @return e.g. {@code double-nat}
     */
    public String id() {
        return id;
    }

    /**
     * One sentence saying what was found.
     *
     * @return the summary
     */
    public String summary() {
        return summary;
    }

    /**
     * What to do about it.
     *
     * @return the advice, or {@code null} when nothing needs doing
     */
    public String advice() {
        return advice;
    }

    /**
     * Whether mappings on the gateway can be reachable from the internet as far as we can tell.
     *
     * @return {@code true} for {@link #AGREE} and {@link #UNVERIFIED}
     */
    public boolean reachablePossible() {
        return this == AGREE || this == UNVERIFIED;
    }
}
