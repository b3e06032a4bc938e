package dev.openport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the system's default IPv4 gateway by reading the routing table the way each OS prints it. Each format
 * has a pure parser (tested on captured output); {@link #find()} picks the source by {@code os.name} and runs
 * commands with a 2-second limit.
 *
 * <p>Choice among several default routes (VPN, TAP, a second NIC): the lowest metric wins, ties go to the
 * first one listed (the kernel lists its preferred route first). Routes without a next-hop address
 * (point-to-point VPNs: {@code default dev wg0}, macOS {@code link#17}, Windows {@code On-link}) are skipped:
 * there is no router to ask on them; when only such routes exist, the error says so ({@link TunnelRoutes}).
 */
final class DefaultGateway {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultGateway.class);
    /** How long a routing command may run: the table is printed in milliseconds; a hung tool must not hang us. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Route tables are a few KiB; anything beyond this is not a route table. */
    private static final int MAX_OUTPUT = 256 * 1024;

    /** One default route: the next hop, the interface it leaves by (name, or address on Windows), metric. */
    record Route(InetAddress gateway, String iface, long metric) {
    }

    private DefaultGateway() {
    }

    static InetAddress find() throws PortMappingException {
        return find(null);
    }

    /** The default gateway, restricted to routes leaving by {@code iface} when it is not {@code null}. */
    static InetAddress find(String iface) throws PortMappingException {
        List<Route> routes = routes();
        Optional<Route> best = best(routes, iface);
        if (best.isPresent()) {
            return best.get().gateway();
        }
        throw TunnelRoutes.gatewayNeeded(iface);
    }

    /** Every default route this system reports, by whatever means this OS offers. */
    static List<Route> routes() throws PortMappingException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        List<Route> routes = new ArrayList<>();
        if (os.contains("win")) {
            routes.addAll(parseWindowsRoutePrint(run("route", "print", "-4")));
        } else if (os.contains("mac") || os.contains("darwin") || os.contains("bsd")) {
            routes.addAll(parseRouteGet(run("route", "-n", "get", "default")));
            if (routes.isEmpty()) {
                routes.addAll(parseNetstatRn(run("netstat", "-rn", "-f", "inet")));
            }
        } else {
            Path proc = Path.of("/proc/net/route");
            if (Files.isReadable(proc)) {
                try {
                    routes.addAll(parseProcNetRouteAll(Files.readString(proc, StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    LOG.debug("cannot read {}: {}", proc, e.getMessage());
                }
            }
            if (routes.isEmpty()) {
                routes.addAll(parseIpRoute(run("ip", "-4", "route", "show", "default")));
            }
        }
        return routes;
    }

    /** The lowest-metric route (first listed on a tie), optionally only those leaving by {@code iface}. */
    static Optional<Route> best(List<Route> routes, String iface) {
        return routes.stream()
                .filter(r -> iface == null || iface.equals(r.iface()))
                .min(Comparator.comparingLong(Route::metric)); // min() keeps the first of equal elements
    }

    /** Parses Linux's {@code /proc/net/route}: the default route has destination and mask 00000000. */
    static Optional<InetAddress> parseProcNetRoute(String table) {
        return best(parseProcNetRouteAll(table), null).map(Route::gateway);
    }

    /**
     * Every usable default route in {@code /proc/net/route}: destination and mask 0, flags UP (0x1) and
     * GATEWAY (0x2), a non-zero gateway. Addresses are hex in host (little-endian) byte order.
     */
    static List<Route> parseProcNetRouteAll(String table) {
        List<Route> out = new ArrayList<>();
        for (String line : lines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !"00000000".equals(f[1]) || !"00000000".equals(f[7])) {
                continue;
            }
            try {
                long le = Long.parseLong(f[2], 16);
                int flags = Integer.parseInt(f[3], 16);
                long metric = Long.parseLong(f[6]);
                if (le == 0 || le > 0xFFFF_FFFFL || (flags & 0x3) != 0x3) {
                    continue;
                }
                byte[] b = {(byte) le, (byte) (le >> 8), (byte) (le >> 16), (byte) (le >> 24)};
                out.add(new Route(InetAddress.getByAddress(b), f[0], metric));
            } catch (NumberFormatException | IOException e) {
                // a malformed line: keep looking
            }
        }
        return out;
    }

    /**
     * Parses {@code ip -4 route show default}: {@code default via 192.168.1.1 dev eth0 proto dhcp metric 100}.
     * Lines without {@code via} (point-to-point) and IPv6 next hops are skipped; a missing metric is 0.
     */
    static List<Route> parseIpRoute(String output) {
        List<Route> out = new ArrayList<>();
        for (String line : lines(output)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || !"default".equals(f[0])) {
                continue;
            }
            InetAddress via = null;
            String dev = null;
            long metric = 0;
            for (int i = 1; i + 1 < f.length; i++) {
                switch (f[i]) {
                    case "via" -> via = ipv4(f[i + 1]).orElse(null);
                    case "dev" -> dev = f[i + 1];
                    case "metric" -> metric = parseLong(f[i + 1], 0);
                    default -> {
                        // proto, scope, src, onlink...: not needed
                    }
                }
            }
            if (via != null) {
                out.add(new Route(via, dev, metric));
            }
        }
        return out;
    }

    /**
     * Parses macOS/BSD {@code route -n get default} ({@code gateway: 192.168.1.1}, {@code interface: en0}). A
     * VPN that owns the default route prints an interface-only gateway ({@code link#17}): no route then.
     */
    static List<Route> parseRouteGet(String output) {
        java.util.Map<String, String> f = routeGetFields(output);
        InetAddress gw = ipv4(f.get("gateway")).orElse(null);
        return gw == null ? List.of() : List.of(new Route(gw, f.get("interface"), 0));
    }

    /** The {@code key: value} lines of {@code route -n get} (the last of a repeated key wins). */
    static java.util.Map<String, String> routeGetFields(String output) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (String line : lines(output)) {
            int colon = line.indexOf(':');
            if (colon >= 0) {
                out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    /**
     * Parses {@code netstat -rn} on macOS and the BSDs: rows {@code default  192.168.1.1  UGScg  en0} in the
     * {@code Internet:} section (the {@code Internet6:} section is ignored). netstat prints no metric, so the
     * order is the kernel's; on macOS a route with the {@code I} flag (RTF_IFSCOPE) is bound to one interface
     * and is not the system-wide default, so it ranks after the unscoped ones.
     */
    static List<Route> parseNetstatRn(String output) {
        List<Route> out = new ArrayList<>();
        boolean inet = true; // output of "-f inet" has only the IPv4 section, possibly without a heading
        for (String line : lines(output)) {
            String t = line.trim();
            if (t.startsWith("Internet6")) {
                inet = false;
                continue;
            }
            if (t.startsWith("Internet")) {
                inet = true;
                continue;
            }
            String[] f = t.split("\\s+");
            if (!inet || f.length < 4 || !("default".equals(f[0]) || "0.0.0.0".equals(f[0])
                    || "0.0.0.0/0".equals(f[0]))) {
                continue;
            }
            Optional<InetAddress> gw = ipv4(f[1]);
            if (gw.isEmpty() || !f[2].contains("G")) {
                continue;
            }
            long rank = f[2].contains("I") ? 1 : 0;
            out.add(new Route(gw.get(), f[3], rank));
        }
        return out;
    }

    /**
     * Parses Windows {@code route print}: active IPv4 routes are rows of five columns, {@code 0.0.0.0 0.0.0.0
     * <gateway> <interface address> <metric>}. Persistent routes have four columns and are skipped (they show
     * what is configured, not what is active); {@code On-link} gateways are skipped. Column positions, not the
     * (localized) headings, identify rows. The interface is reported by its address.
     */
    static List<Route> parseWindowsRoutePrint(String output) {
        List<Route> out = new ArrayList<>();
        for (String line : lines(output)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 5 || !"0.0.0.0".equals(f[0]) || !"0.0.0.0".equals(f[1])) {
                continue;
            }
            Optional<InetAddress> gw = ipv4(f[2]);
            long metric = parseLong(f[4], -1);
            if (gw.isEmpty() || ipv4(f[3]).isEmpty() || metric < 0) {
                continue;
            }
            out.add(new Route(gw.get(), f[3], metric));
        }
        return out;
    }

    /** An IPv4 literal (never a DNS lookup), and not 0.0.0.0. */
    static Optional<InetAddress> ipv4(String text) {
        if (text == null || text.isEmpty() || text.length() > 15 || !text.matches("[0-9.]+")) {
            return Optional.empty();
        }
        return IpText.parseIpv4(text).filter(a -> !a.isAnyLocalAddress()).map(InetAddress.class::cast);
    }

    private static long parseLong(String s, long fallback) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String[] lines(String text) {
        return text == null ? new String[0] : text.split("\r?\n|\r");
    }

    /**
     * Runs a routing command and returns what it printed, or "" when it is missing, fails or overruns its
     * {@link #COMMAND_TIMEOUT} (then it is killed). Never throws, never waits longer than the limit.
     */
    static String run(String... command) {
        return run(COMMAND_TIMEOUT, command);
    }

    static String run(Duration timeout, String... command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot run {}: {}", command[0], e.getMessage());
            return "";
        }
        // a reader thread, so a chatty command cannot block on a full pipe while we wait for it to exit
        java.util.concurrent.atomic.AtomicReference<byte[]> out = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (var in = p.getInputStream()) {
                out.set(in.readNBytes(MAX_OUTPUT));
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the process was killed or closed its output: keep what was read
            }
        }, "openport-route-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                LOG.debug("{} did not finish in {} ms: killed", command[0], timeout.toMillis());
                kill(p);
                return "";
            }
            reader.join(500); // the output is complete once the process has exited
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p);
            return "";
        }
        byte[] bytes = out.get();
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Kills the command and whatever it started (which would otherwise hold the output pipe open). */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win")
                ? "NUL" : "/dev/null");
    }
}
