package dev.openport.cli;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The mappings this tool made, so a later {@code openport unmap} (another process) can delete them with the
 * right protocol state (the PCP nonce). A small JSON file, by default
 * {@code $XDG_STATE_HOME/openport/mappings.json}; updates are serialised between processes with a lock file
 * and written atomically (temp file + rename), so a crash never leaves half a file.
 */
final class StateFile {
    static final int VERSION = 1;
    private static final long MAX_SIZE = 4L << 20;

    private final Path file;

    StateFile(Path file) {
        this.file = file;
    }

    /** The default location: {@code $XDG_STATE_HOME/openport/mappings.json} or {@code ~/.local/state/...}. */
    static Path defaultPath() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("openport").resolve("mappings.json");
    }

    Path path() {
        return file;
    }

    /** One mapping as stored. */
    record Entry(MappingProtocol protocol, InetAddress gateway, Transport transport, InetAddress internalAddress,
            int internalPort, InetAddress externalAddress, int externalPort, long lifetimeSeconds, boolean permanent,
            Instant expiresAt, String description, String protocolState, Instant createdAt, long pid) {

        static Entry of(PortMapping m) {
            return new Entry(m.protocol(), m.gateway(), m.transport(), m.internalAddress(), m.internalPort(),
                    m.externalAddress(), m.externalPort(), m.lifetime().getSeconds(), m.isPermanent(),
                    m.isPermanent() ? null : m.expiresAt(), m.request().description(), m.protocolState().text(),
                    Instant.now(), ProcessHandle.current().pid());
        }

        /** Rebuilds the mapping so a mapper can renew or delete it. */
        PortMapping toMapping() {
            Duration lifetime = Duration.ofSeconds(Math.max(0, lifetimeSeconds));
            Duration asked = lifetime.isZero() || lifetime.compareTo(MappingRequest.MAX_LIFETIME) > 0
                    ? MappingRequest.DEFAULT_LIFETIME : lifetime;
            MappingRequest req = new MappingRequest(transport, internalPort, internalAddress, externalPort, false,
                    asked, description);
            return new PortMapping(req, internalAddress, externalAddress, externalPort, permanent ? Duration.ZERO
                    : lifetime, permanent || expiresAt == null ? Instant.MAX : expiresAt, protocol, gateway,
                    ProtocolState.of(protocolState));
        }

        /** Same mapping (gateway, protocol, transport, internal address and port), ignoring lease times. */
        boolean sameAs(Entry o) {
            return protocol == o.protocol && gateway.equals(o.gateway) && transport == o.transport
                    && internalAddress.equals(o.internalAddress) && internalPort == o.internalPort;
        }

        boolean expired(Instant now) {
            return !permanent && expiresAt != null && expiresAt.isBefore(now);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", Names.id(protocol));
            m.put("gateway", gateway.getHostAddress());
            m.put("transport", transport.lowerName());
            m.put("internalAddress", internalAddress.getHostAddress());
            m.put("internalPort", internalPort);
            m.put("externalAddress", externalAddress == null ? null : externalAddress.getHostAddress());
            m.put("externalPort", externalPort);
            m.put("lifetimeSeconds", lifetimeSeconds);
            m.put("permanent", permanent);
            m.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
            m.put("description", description);
            m.put("protocolState", protocolState);
            m.put("createdAt", createdAt.toString());
            m.put("pid", pid);
            return m;
        }

        static Entry fromJson(Map<?, ?> m) {
            return new Entry(Names.protocol(str(m, "protocol")), IpLiteral.parse(str(m, "gateway")),
                    Transport.parse(str(m, "transport")), IpLiteral.parse(str(m, "internalAddress")),
                    num(m, "internalPort"), m.get("externalAddress") == null ? null
                            : IpLiteral.parse(str(m, "externalAddress")), num(m, "externalPort"),
                    ((Number) m.get("lifetimeSeconds")).longValue(), Boolean.TRUE.equals(m.get("permanent")),
                    m.get("expiresAt") == null ? null : Instant.parse(str(m, "expiresAt")),
                    m.get("description") == null ? MappingRequest.DEFAULT_DESCRIPTION : str(m, "description"),
                    m.get("protocolState") == null ? "" : str(m, "protocolState"),
                    m.get("createdAt") == null ? Instant.EPOCH : Instant.parse(str(m, "createdAt")),
                    m.get("pid") instanceof Number n ? n.longValue() : 0);
        }

        private static String str(Map<?, ?> m, String key) {
            Object v = m.get(key);
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("field " + key + " missing");
            }
            return s;
        }

        private static int num(Map<?, ?> m, String key) {
            Object v = m.get(key);
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("field " + key + " missing");
            }
            return n.intValue();
        }
    }

    /** The stored entries; an absent file is empty, an unreadable one is an {@link IOException}. */
    List<Entry> read() throws IOException {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        if (Files.size(file) > MAX_SIZE) {
            throw new IOException("state file " + file + " is larger than " + MAX_SIZE + " bytes");
        }
        return decode(Files.readString(file, StandardCharsets.UTF_8));
    }

    private List<Entry> decode(String text) throws IOException {
        List<Entry> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        try {
            Object doc = Json.parse(text);
            if (!(doc instanceof Map<?, ?> root) || !(root.get("mappings") instanceof List<?> list)) {
                throw new IllegalArgumentException("no \"mappings\" array");
            }
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    out.add(Entry.fromJson(m));
                }
            }
            return out;
        } catch (RuntimeException e) {
            throw new IOException("state file " + file + " is damaged (" + e.getMessage()
                    + "); delete it to start afresh", e);
        }
    }

    /** Adds {@code entry}, replacing a stored entry for the same mapping. */
    void put(Entry entry) throws IOException {
        update(list -> {
            list.removeIf(e -> e.sameAs(entry));
            list.add(entry);
            return list;
        });
    }

    /** Removes the entries for the same mapping as {@code entry}. */
    void remove(Entry entry) throws IOException {
        update(list -> {
            list.removeIf(e -> e.sameAs(entry));
            return list;
        });
    }

    /** Read-modify-write under an inter-process lock. */
    synchronized void update(UnaryOperator<List<Entry>> change) throws IOException {
        Files.createDirectories(file.getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lock.lock()) {
            assert held.isValid();
            List<Entry> list = change.apply(read());
            List<Object> json = new ArrayList<>();
            list.forEach(e -> json.add(e.toJson()));
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("version", VERSION);
            root.put("mappings", json);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap((Json.write(root) + "\n").getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
