package dev.openport.cli;

import dev.openport.core.MappingProtocol;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Option values from text: each failure is an {@link IllegalArgumentException} whose one-line message says what
 * to type instead (the parser prefixes the option's name).
 */
final class Converters {
    private Converters() {
    }

    static PortSpec portSpec(String value) {
        return PortSpec.parse(value);
    }

    static Duration duration(String value) {
        return Durations.parse(value);
    }

    static InetAddress ip(String value) {
        return IpLiteral.parse(value);
    }

    /** {@code auto} is {@code null}: every protocol. */
    static MappingProtocol protocol(String value) {
        if ("auto".equals(value.trim().toLowerCase(Locale.ROOT))) {
            return null;
        }
        try {
            return MappingProtocol.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown protocol '" + value + "': use auto, pcp, natpmp or upnp");
        }
    }

    static URI httpUrl(String value) {
        try {
            URI u = new URI(value.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") || u.getHost() == null) {
                throw new IllegalArgumentException("invalid UPnP description URL '" + value
                        + "': use http://HOST:PORT/PATH, e.g. http://192.168.1.1:5000/rootDesc.xml");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid UPnP description URL '" + value + "': " + e.getReason());
        }
    }

    static int port(String value) {
        try {
            int p = Integer.parseInt(value.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("invalid port '" + value + "': use a number 1-65535");
    }
}
