package dev.openport.cli;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import dev.openport.upnp.UpnpLocations;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The UPnP description URL (LOCATION) remembered across runs, per gateway address and the local address that
 * routes to it, so a second {@code openport map} on a UPnP router skips the SSDP search. A hint only: the upnp
 * module checks it on use (it must answer and describe an IGD) and searches again when it does not. Kept in
 * {@code upnp-locations.json} beside the state file; every failure to read or write it is ignored (it is a cache).
 */
final class UpnpLocationFile {
    private static final int MAX_ENTRIES = 16;
    private static final long MAX_SIZE = 64 * 1024;

    /** One remembered LOCATION. */
    record Entry(InetAddress gateway, InetAddress local, int ssdpPort, URI location) {
    }

    private final Path file;

    UpnpLocationFile(Path file) {
        this.file = file;
    }

    /** Beside the state file: {@code $XDG_STATE_HOME/openport/upnp-locations.json}. */
    static UpnpLocationFile beside(Path stateFile) {
        return new UpnpLocationFile(stateFile.resolveSibling("upnp-locations.json"));
    }

    Path path() {
        return file;
    }

    /**
     * Seeds the upnp module with the LOCATIONs remembered for this host's current address towards each gateway
     * (and only for {@code options.gateway()} when one is named).
     */
    void seed(DiscoveryOptions options) {
        if (options.upnpLocation() != null || !options.protocols().contains(MappingProtocol.UPNP)) {
            return;
        }
        int port = ssdpPort(options);
        for (Entry e : read()) {
            if (e.ssdpPort() != port || (options.gateway() != null && !options.gateway().equals(e.gateway()))) {
                continue;
            }
            if (e.local().equals(localAddressFor(e.gateway()))) {
                UpnpLocations.seed(e.gateway(), port, e.location());
            }
        }
    }

    /** The SSDP port discovery uses with these options (the upnp module's cache key). */
    static int ssdpPort(DiscoveryOptions options) {
        int p = options.serverPort(MappingProtocol.UPNP);
        return p == 0 ? UpnpLocations.SSDP_PORT : p;
    }

    /** Saves what the upnp module now knows for {@code gateway}, if it is new. */
    void remember(InetAddress gateway, int ssdpPort) {
        URI now = gateway == null ? null : UpnpLocations.remembered(gateway, ssdpPort);
        InetAddress local = now == null ? null : localAddressFor(gateway);
        if (local == null) {
            return;
        }
        List<Entry> entries = read();
        Entry fresh = new Entry(gateway, local, ssdpPort, now);
        if (entries.contains(fresh)) {
            return;
        }
        entries.removeIf(e -> e.gateway().equals(gateway) && e.local().equals(local) && e.ssdpPort() == ssdpPort);
        entries.add(0, fresh);
        while (entries.size() > MAX_ENTRIES) {
            entries.remove(entries.size() - 1);
        }
        write(entries);
    }

    /** The local address the system would use towards {@code gateway} (no packet is sent), or {@code null}. */
    static InetAddress localAddressFor(InetAddress gateway) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(gateway, 9));
            InetAddress a = s.getLocalAddress();
            return a == null || a.isAnyLocalAddress() ? null : a;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    List<Entry> read() {
        List<Entry> out = new ArrayList<>();
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_SIZE) {
                return out;
            }
            Object doc = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(doc instanceof Map<?, ?> root) || !(root.get("locations") instanceof List<?> list)) {
                return out;
            }
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && out.size() < MAX_ENTRIES) {
                    URI loc = Converters.httpUrl(String.valueOf(m.get("location")));
                    out.add(new Entry(IpLiteral.parse(String.valueOf(m.get("gateway"))),
                            IpLiteral.parse(String.valueOf(m.get("local"))),
                            ((Number) Objects.requireNonNull(m.get("ssdpPort"))).intValue(), loc));
                }
            }
        } catch (IOException | RuntimeException e) {
            // a cache: a damaged file means searching again, and the next write replaces it
        }
        return out;
    }

    private void write(List<Entry> entries) {
        List<Object> list = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gateway", e.gateway().getHostAddress());
            m.put("local", e.local().getHostAddress());
            m.put("ssdpPort", e.ssdpPort());
            m.put("location", e.location().toString());
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", 1);
        root.put("locations", list);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".upnp-locations", ".tmp");
            try {
                Files.writeString(tmp, Json.write(root) + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // read-only state directory: the next run searches with SSDP, as without the cache
        }
    }
}
