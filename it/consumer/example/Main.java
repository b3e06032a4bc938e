package example;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.ManagedMapping;
import dev.openport.core.MapOptions;
import dev.openport.core.MappingProtocol;
import dev.openport.core.OpenPort;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.PortMapperProvider;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * An application that depends on openport the way the README says, built and run by it/run.sh three ways (class
 * path, module path, shaded jar). It proves: every protocol module is found, a port maps through a NAT-PMP gateway
 * on 127.0.0.1 and is deleted again on close(), and no openport-* thread is left afterwards. A fourth build depends
 * on openport-core alone and proves that mapping then fails with an error naming the artifact to add.
 */
public final class Main {
    private static final InetAddress EXTERNAL = address(203, 0, 113, 7);

    /** The README's example, compiled exactly as written (not run: it would ask this machine's real router). */
    static void readmeExample() throws Exception {
        try (var m = OpenPort.map(Transport.TCP, 25565)) {
            System.out.println("players connect to " + m.external() + " via " + m.protocol().displayName());
        }
    }

    public static void main(String[] args) throws Exception {
        String how = args.length > 0 ? args[0] : "class path";
        if (!Boolean.getBoolean("openport.loopbackOnly")) {
            throw new AssertionError("run with -Dopenport.loopbackOnly=true (talk to loopback only)");
        }
        List<String> proved = new ArrayList<>();

        Set<String> protocols = installedProtocols();
        if (how.equals("core only")) {
            coreOnly(protocols, proved);
            report(how, proved);
            return;
        }
        expect(protocols.equals(Set.of("NAT_PMP", "PCP", "UPNP")), "all three protocol modules, found " + protocols);
        proved.add("protocol modules found: " + protocols + (Main.class.getModule().isNamed()
                ? " (resolved by service binding, no --add-modules)" : ""));

        try (FakeNatPmp gateway = new FakeNatPmp()) {
            DiscoveryOptions discovery = DiscoveryOptions.builder()
                    .gateway(InetAddress.getLoopbackAddress())
                    .serverPort(MappingProtocol.NAT_PMP, gateway.port())
                    .protocols(MappingProtocol.NAT_PMP)
                    .timeout(Duration.ofSeconds(3))
                    .build();
            MapOptions options = MapOptions.builder().discovery(discovery).cleanupOnExit(false).build();
            try (ManagedMapping m = OpenPort.map(Transport.TCP, 25565, options)) {
                expect(m.external().toString().equals("203.0.113.7:25565"), "external " + m.external());
                expect(m.protocol() == MappingProtocol.NAT_PMP, "protocol " + m.protocol());
                proved.add("mapped 25565/tcp through a NAT-PMP gateway on 127.0.0.1: players connect to "
                        + m.external() + " via " + m.protocol().displayName());
            }
            expect(gateway.deletes() >= 1, "close() sent no delete");
            proved.add("close() deleted the mapping (" + gateway.deletes() + " delete request(s) at the gateway)");
        }

        List<String> left = openportThreads(Duration.ofSeconds(5));
        expect(left.isEmpty(), "openport threads left after close(): " + left);
        proved.add("no openport-* thread left after close()");

        report(how, proved);
    }

    /** Depending on openport-core alone: mapping fails with its own error naming the artifact to add. */
    private static void coreOnly(Set<String> protocols, List<String> proved) throws Exception {
        expect(protocols.isEmpty(), "no protocol module expected, found " + protocols);
        DiscoveryOptions discovery = DiscoveryOptions.builder().gateway(InetAddress.getLoopbackAddress())
                .timeout(Duration.ofSeconds(1)).build();
        try (ManagedMapping m = OpenPort.map(Transport.TCP, 25565,
                MapOptions.builder().discovery(discovery).build())) {
            throw new AssertionError("mapped without any protocol module: " + m);
        } catch (PortMappingException e) {
            expect(e.failure().equals(Optional.of(new PortMappingException.NoProtocolModule("dev.openport:openport"))),
                    "failure " + e.failure() + " (" + e.getMessage() + ")");
            expect(e.getMessage().contains("dev.openport:openport") && !e.getMessage().contains("router"),
                    "message " + e.getMessage());
            proved.add("with openport-core alone, map() fails with NoProtocolModule: \"" + e.getMessage() + "\"");
        }
        List<String> left = openportThreads(Duration.ofSeconds(5));
        expect(left.isEmpty(), "openport threads left after the failure: " + left);
        proved.add("no openport-* thread left after the failure");
    }

    private static void report(String how, List<String> proved) {
        System.out.println("it: " + how + " consumer OK");
        for (String p : proved) {
            System.out.println("it:   - " + p);
        }
    }

    private static Set<String> installedProtocols() {
        Set<String> names = new TreeSet<>();
        Module self = Main.class.getModule();
        if (self.isNamed()) {
            // on the module path: which protocol modules did service binding resolve into the boot layer?
            for (String m : List.of("dev.openport.natpmp", "dev.openport.pcp", "dev.openport.upnp")) {
                ModuleLayer.boot().findModule(m).ifPresent(x -> names.add(switch (m) {
                    case "dev.openport.natpmp" -> "NAT_PMP";
                    case "dev.openport.pcp" -> "PCP";
                    default -> "UPNP";
                }));
            }
        } else {
            for (PortMapperProvider p : ServiceLoader.load(PortMapperProvider.class)) {
                names.add(p.protocol().name());
            }
        }
        return names;
    }

    /** Waits for the library's threads to end; names of those still alive. */
    private static List<String> openportThreads(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<String> alive = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && t.getName().startsWith("openport-")) {
                    alive.add(t.getName());
                }
            }
            if (alive.isEmpty() || System.nanoTime() > deadline) {
                return alive;
            }
            Thread.sleep(50);
        }
    }

    private static void expect(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A NAT-PMP gateway (RFC 6886) on 127.0.0.1: external address 203.0.113.7, grants what is asked. */
    static final class FakeNatPmp implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;
        private final long start = System.nanoTime();
        private volatile int deletes;

        FakeNatPmp() throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "fake-natpmp");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int deletes() {
            return deletes;
        }

        private void serve() {
            byte[] buf = new byte[1100];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    ByteBuffer in = ByteBuffer.wrap(p.getData(), 0, p.getLength());
                    if (p.getLength() < 2 || in.get(0) != 0) {
                        continue; // not NAT-PMP version 0
                    }
                    int op = in.get(1) & 0xff;
                    int seconds = (int) ((System.nanoTime() - start) / 1_000_000_000L) + 1;
                    ByteBuffer out;
                    if (op == 0) { // §3.2 external address
                        out = ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) 0)
                                .putInt(seconds).put(EXTERNAL.getAddress());
                    } else if ((op == 1 || op == 2) && p.getLength() >= 12) { // §3.3 map UDP / TCP
                        short internal = in.getShort(4);
                        short suggested = in.getShort(6);
                        int lifetime = in.getInt(8);
                        if (lifetime == 0) {
                            deletes++;
                        }
                        out = ByteBuffer.allocate(16).put((byte) 0).put((byte) (128 + op)).putShort((short) 0)
                                .putInt(seconds).putShort(internal)
                                .putShort(lifetime == 0 ? 0 : (suggested == 0 ? internal : suggested))
                                .putInt(lifetime);
                    } else {
                        continue;
                    }
                    socket.send(new DatagramPacket(out.array(), out.position(), p.getSocketAddress()));
                } catch (java.io.IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() {
            socket.close();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
