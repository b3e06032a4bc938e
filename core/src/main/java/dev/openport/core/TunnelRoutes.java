package dev.openport.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Default routes without a next-hop address: a point-to-point VPN owns the default route ({@code default dev wg0},
 * gateway 0.0.0.0 in {@code /proc/net/route}, {@code link#17} on macOS). There is no router address to ask
 * there, but the VPN usually runs a NAT-PMP server on a known address (ProtonVPN: 10.2.0.1), so the caller must
 * name it. This explains a failed gateway search; it never picks a gateway.
 */
final class TunnelRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelRoutes.class);
    /** RTF_UP (linux/route.h): the route is usable. */
    private static final int RTF_UP = 0x1;

    private TunnelRoutes() {
    }

    /**
     * The error for "no default gateway": names the tunnel device when a default route has no gateway
     * address, and says to name the gateway explicitly; {@link PortMappingException#failure()} is
     * {@link PortMappingException.GatewayNeeded}.
     *
     * @param iface the interface the search was restricted to, or {@code null}
     */
    static PortMappingException gatewayNeeded(String iface) {
        List<String> tunnels = devices().stream().filter(d -> iface == null || iface.equals(d)).toList();
        return gatewayNeeded(iface, tunnels);
    }

    static PortMappingException gatewayNeeded(String iface, List<String> tunnels) {
        String message;
        String device = null;
        if (!tunnels.isEmpty()) {
            device = tunnels.get(0);
            message = "the default route leaves through " + device + " without a gateway address (a VPN tunnel):"
                    + " name the gateway explicitly (DiscoveryOptions gateway), e.g. the VPN's NAT-PMP server";
        } else {
            message = "no default gateway in the routing table" + (iface == null ? "" : " on interface " + iface)
                    + "; name the gateway explicitly (DiscoveryOptions gateway)";
        }
        return new PortMappingException(PortMappingException.Reason.GATEWAY_NOT_FOUND, message, null, null,
                new PortMappingException.GatewayNeeded(device), List.of(), null);
    }

    /** Devices of this system's gateway-less default routes, best first, by whatever means the OS offers. */
    static List<String> devices() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return List.of(); // "On-link" defaults name an interface address, not a device to report
        }
        if (os.contains("mac") || os.contains("darwin") || os.contains("bsd")) {
            return parseRouteGet(DefaultGateway.run("route", "-n", "get", "default"));
        }
        Path proc = Path.of("/proc/net/route");
        if (Files.isReadable(proc)) {
            try {
                List<String> found = parseProcNetRoute(Files.readString(proc, StandardCharsets.US_ASCII));
                if (!found.isEmpty()) {
                    return found;
                }
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", proc, e.getMessage());
            }
        }
        return parseIpRoute(DefaultGateway.run("ip", "-4", "route", "show", "default"));
    }

    /**
     * {@code /proc/net/route} rows with destination and mask 0, flag UP and gateway 0 (or no GATEWAY flag):
     * {@code wg0 00000000 00000000 0001 ...}.
     */
    static List<String> parseProcNetRoute(String table) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : DefaultGateway.lines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !"00000000".equals(f[1]) || !"00000000".equals(f[7])) {
                continue;
            }
            try {
                int flags = Integer.parseInt(f[3], 16);
                if ((flags & RTF_UP) != 0 && ("00000000".equals(f[2]) || (flags & 0x2) == 0)) {
                    out.add(f[0]);
                }
            } catch (NumberFormatException e) {
                // a malformed line: keep looking
            }
        }
        return new ArrayList<>(out);
    }

    /** {@code ip -4 route show default} lines without {@code via}: {@code default dev wg0 scope link}. */
    static List<String> parseIpRoute(String output) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : DefaultGateway.lines(output)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || !"default".equals(f[0]) || line.contains(" via ")) {
                continue;
            }
            for (int i = 1; i + 1 < f.length; i++) {
                if ("dev".equals(f[i])) {
                    out.add(f[i + 1]);
                    break;
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** macOS/BSD {@code route -n get default} with an interface-only gateway ({@code gateway: link#17}). */
    static List<String> parseRouteGet(String output) {
        java.util.Map<String, String> f = DefaultGateway.routeGetFields(output);
        String gateway = f.get("gateway");
        String iface = f.get("interface");
        boolean noNextHop = gateway == null || gateway.startsWith("link#");
        return iface != null && !iface.isEmpty() && noNextHop ? List.of(iface) : List.of();
    }
}
