package dev.openport.core;

import java.util.Locale;

/**
 * The transport protocol of a port mapping.
 *
 * <pre>{@code
 * Transport t = Transport.parse("udp");   // Transport.UDP
 * }</pre>
 */
public enum Transport {
    /** TCP, IANA protocol number 6. */
    TCP(6),
    /** UDP, IANA protocol number 17. */
    UDP(17);

    private final int ianaNumber;

    Transport(int ianaNumber) {
        this.ianaNumber = ianaNumber;
    }

    /**
     * The IANA protocol number, as PCP puts it on the wire.
     *
     * @return 6 for TCP, 17 for UDP
     */
    public int ianaNumber() {
        return ianaNumber;
    }

    /**
     * Parses {@code tcp} or {@code udp} in any case.
     *
     * @param text what the user typed
     * @return the transport
     * @throws IllegalArgumentException for anything else, with a message naming the accepted values
     */
    public static Transport parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        return switch (t) {
            case "TCP" -> TCP;
            case "UDP" -> UDP;
            default -> throw new IllegalArgumentException("unknown transport '" + text + "': use tcp or udp");
        };
    }

    /**
     * Lower-case name, as users type it.
     *
     * @return {@code tcp} or {@code udp}
     */
    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
