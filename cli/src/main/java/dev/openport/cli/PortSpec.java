package dev.openport.cli;

import dev.openport.core.Transport;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A port as typed on the command line: {@code 25565} (TCP), {@code 25565/udp}, {@code 25565/both} or
 * {@code 25565/tcp+udp}; {@code any/udp} lets the gateway choose the port (the service listens on it).
 *
 * @param port       1-65535, or {@link #ANY} (0)
 * @param transports one or both transports
 */
record PortSpec(int port, Set<Transport> transports) {
    /** {@code any}: the gateway chooses, and the service listens on the port it grants. */
    static final int ANY = 0;

    PortSpec {
        transports = Set.copyOf(transports);
    }

    /**
     * Parses a port spec.
     *
     * @throws IllegalArgumentException with a message naming the accepted forms
     */
    static PortSpec parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        int slash = t.indexOf('/');
        String num = slash < 0 ? t : t.substring(0, slash);
        String proto = slash < 0 ? "tcp" : t.substring(slash + 1);
        int port;
        try {
            port = num.equals("any") ? ANY : num.matches("\\d{1,5}") ? Integer.parseInt(num) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if ((port < 1 && !num.equals("any")) || port > 65535) {
            throw new IllegalArgumentException("invalid port '" + text
                    + "': use a number 1-65535 or 'any', optionally with /tcp, /udp or /both (e.g. 25565/udp)");
        }
        Set<Transport> ts = switch (proto) {
            case "tcp" -> EnumSet.of(Transport.TCP);
            case "udp" -> EnumSet.of(Transport.UDP);
            case "both", "tcp+udp", "udp+tcp", "all" -> EnumSet.of(Transport.TCP, Transport.UDP);
            default -> throw new IllegalArgumentException("invalid transport '" + proto + "' in '" + text
                    + "': use /tcp, /udp or /both");
        };
        return new PortSpec(port, ts);
    }

    boolean isAny() {
        return port == ANY;
    }

    /** The transports in a stable order (TCP first). */
    List<Transport> orderedTransports() {
        return EnumSet.copyOf(transports).stream().toList();
    }

    @Override
    public String toString() {
        return (port == ANY ? "any" : String.valueOf(port)) + "/"
                + (transports.size() == 2 ? "both" : transports.iterator().next().lowerName());
    }
}
