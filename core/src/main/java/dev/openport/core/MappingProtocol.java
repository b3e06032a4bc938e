package dev.openport.core;

import java.util.Locale;

/**
 * The port-mapping protocols openport speaks, in order of preference when several answer.
 *
 * <pre>{@code
 * MappingProtocol p = MappingProtocol.parse("nat-pmp");   // NAT_PMP
 * System.out.println(p.displayName());                    // "NAT-PMP"
 * }</pre>
 */
public enum MappingProtocol {
    /** Port Control Protocol, RFC 6887. */
    PCP("PCP"),
    /** NAT Port Mapping Protocol, RFC 6886. */
    NAT_PMP("NAT-PMP"),
    /** UPnP Internet Gateway Device (v1 and v2). */
    UPNP("UPnP");

    private final String displayName;

    MappingProtocol(String displayName) {
        this.displayName = displayName;
    }

    /**
     * The name people know it by.
     *
     * @return {@code PCP}, {@code NAT-PMP} or {@code UPnP}
     */
    public String displayName() {
        return displayName;
    }

    /**
     * Accepts {@code pcp}, {@code natpmp}, {@code nat-pmp}, {@code nat_pmp}, {@code upnp} in any case.
     *
     * @param text what the user typed
     * @return the protocol
     * @throws IllegalArgumentException for anything else
     */
    public static MappingProtocol parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (t) {
            case "pcp" -> PCP;
            case "natpmp", "pmp" -> NAT_PMP;
            case "upnp", "igd", "upnpigd" -> UPNP;
            default -> throw new IllegalArgumentException("unknown protocol '" + text + "': use pcp, natpmp or upnp");
        };
    }
}
