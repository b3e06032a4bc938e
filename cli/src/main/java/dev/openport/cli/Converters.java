package dev.openport.cli;

import dev.openport.core.MappingProtocol;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters: each failure is one line that says what to type instead. */
final class Converters {
    private Converters() {
    }

    static final class PortSpecs implements ITypeConverter<PortSpec> {
        @Override
        public PortSpec convert(String value) {
            try {
                return PortSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Durations implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return dev.openport.cli.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Ips implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            try {
                return IpLiteral.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code auto} is {@code null}: every protocol. */
    static final class Protocols implements ITypeConverter<MappingProtocol> {
        @Override
        public MappingProtocol convert(String value) {
            if ("auto".equals(value.trim().toLowerCase(Locale.ROOT))) {
                return null;
            }
            try {
                return MappingProtocol.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("unknown protocol '" + value + "': use auto, pcp, natpmp or upnp");
            }
        }
    }

    static final class HttpUrls implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            try {
                URI u = new URI(value.trim());
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") || u.getHost() == null) {
                    throw new TypeConversionException("invalid UPnP description URL '" + value
                            + "': use http://HOST:PORT/PATH, e.g. http://192.168.1.1:5000/rootDesc.xml");
                }
                return u;
            } catch (URISyntaxException e) {
                throw new TypeConversionException("invalid UPnP description URL '" + value + "': "
                        + e.getReason());
            }
        }
    }

    static final class Ports implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int p = Integer.parseInt(value.trim());
                if (p >= 1 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new TypeConversionException("invalid port '" + value + "': use a number 1-65535");
        }
    }
}
