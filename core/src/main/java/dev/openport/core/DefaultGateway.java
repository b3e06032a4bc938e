package dev.openport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the system's default IPv4 gateway. (Linux /proc/net/route for now; other systems follow.) */
final class DefaultGateway {
    private DefaultGateway() {
    }

    static InetAddress find() throws PortMappingException {
        try {
            Path route = Path.of("/proc/net/route");
            if (Files.isReadable(route)) {
                Optional<InetAddress> gw = parseProcNetRoute(Files.readString(route, StandardCharsets.US_ASCII));
                if (gw.isPresent()) {
                    return gw.get();
                }
            }
        } catch (IOException e) {
            throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                    "cannot read the routing table: " + e.getMessage(), e);
        }
        throw new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND,
                "no default gateway in the routing table; name one with --gateway");
    }

    /** Parses Linux's {@code /proc/net/route}: the default route has destination and mask 00000000. */
    static Optional<InetAddress> parseProcNetRoute(String table) {
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !"00000000".equals(f[1]) || !"00000000".equals(f[7])) {
                continue;
            }
            try {
                long le = Long.parseLong(f[2], 16);
                if (le == 0) {
                    continue;
                }
                // the kernel prints the address in host (little-endian) byte order
                byte[] b = {(byte) le, (byte) (le >> 8), (byte) (le >> 16), (byte) (le >> 24)};
                return Optional.of(InetAddress.getByAddress(b));
            } catch (NumberFormatException | IOException e) {
                // a malformed line: keep looking
            }
        }
        return Optional.empty();
    }
}
