package dev.openport.natpmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateways;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.GatewayEvent;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Interop against the gateway lab's real miniupnpd (lab/README.md). Runs only inside the lab's client namespace
 * with {@code -DOPENPORT_LAB=1 -Dopenport.loopbackOnly=false}, as {@code lab/interop.sh} runs Java lab tests
 * ({@code natpmp:NatPmpLabTest}). A mapping only counts when the WAN host's traffic really reaches a listener
 * here through it.
 */
@EnabledIfSystemProperty(named = "OPENPORT_LAB", matches = "1")
class NatPmpLabTest {
    private static final InetAddress GW = addr(env("PMLAB_GW_LAN_IP", "198.18.0.1"));
    private static final InetAddress CLIENT = addr(env("PMLAB_CLIENT_IP", "198.18.0.2"));
    private static final String GW_WAN = env("PMLAB_GW_WAN_IP", "203.0.113.1");
    private static final InetAddress EXTERNAL = addr(env("PMLAB_EXTERNAL_IP", "203.0.113.1"));
    private static final Path LAB = Path.of("..", "lab", "gateway-lab").toAbsolutePath().normalize();
    private static final Path HELPER = Path.of(env("PMLAB_STATE_DIR", "/run/pmlab-gateway-lab"), "pmlab_helper.py");
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<PortMapping> made = new ArrayList<>();
    private NatPmpPortMapper mapper;

    @BeforeEach
    void connect() throws Exception {
        mapper = new NatPmpPortMapper(new ProbeContext(GW, CLIENT, TIMEOUT, 0, null, false));
    }

    @AfterEach
    void cleanUp() {
        for (PortMapping m : made) {
            try {
                mapper.unmap(m);
            } catch (PortMappingException | RuntimeException e) {
                // best effort: the lab is restarted by the next interop run anyway
            }
        }
        mapper.close();
    }

    @Test
    void coreFindsNatPmpThroughServiceLoaderAndGetsTheExternalAddress() throws Exception {
        DiscoveryOptions opts = DiscoveryOptions.builder().gateway(GW).localAddress(CLIENT)
                .protocols(MappingProtocol.NAT_PMP).multicast(false).timeout(TIMEOUT).build();
        try (PortMapper m = Gateways.connect(opts)) {
            assertThat(m.protocol()).as("found through ServiceLoader").isEqualTo(MappingProtocol.NAT_PMP);
            assertThat(m.externalAddress()).isEqualTo(EXTERNAL);
        }
    }

    @Test
    void tcpMappingForwardsRenewsAndStopsAfterUnmap() throws Exception {
        int port = 41031;
        PortMapping m = map(MappingRequest.of(Transport.TCP, port).withLifetime(Duration.ofMinutes(10)));
        assertThat(m.externalPort()).isEqualTo(port);
        assertThat(m.externalAddress()).isEqualTo(EXTERNAL);
        assertThat(m.internalAddress()).isEqualTo(CLIENT);
        assertThat(m.lifetime()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(10));
        assertThat(wanReaches(Transport.TCP, port)).as("WAN host reaches the client through the mapping").isTrue();

        PortMapping renewed = mapper.renew(m);
        assertThat(renewed.externalPort()).isEqualTo(port);
        assertThat(wanReaches(Transport.TCP, port)).isTrue();

        mapper.unmap(renewed);
        assertThat(wanReaches(Transport.TCP, port)).as("no forwarding after unmap").isFalse();
        assertThatCode(() -> mapper.unmap(renewed)).as("deleting a gone mapping").doesNotThrowAnyException();
    }

    @Test
    void udpMappingForwards() throws Exception {
        int port = 41032;
        PortMapping m = map(MappingRequest.of(Transport.UDP, port).withLifetime(Duration.ofMinutes(10)));
        assertThat(m.externalPort()).isEqualTo(port);
        assertThat(wanReaches(Transport.UDP, port)).isTrue();
    }

    @Test
    void deleteAllRemovesEveryUdpMappingOfThisHost() throws Exception {
        map(MappingRequest.of(Transport.UDP, 41033).withLifetime(Duration.ofMinutes(10)));
        map(MappingRequest.of(Transport.UDP, 41034).withLifetime(Duration.ofMinutes(10)));
        assertThat(wanReaches(Transport.UDP, 41034)).isTrue();
        mapper.deleteAll(Transport.UDP);
        assertThat(wanReaches(Transport.UDP, 41033)).isFalse();
        assertThat(wanReaches(Transport.UDP, 41034)).isFalse();
    }

    @Test
    void portBelow1024IsNotAuthorized() {
        // the lab's miniupnpd allows 1024-65535 only; it answers NOT_AUTHORIZED (2) after ~1 s
        assertThatThrownBy(() -> map(MappingRequest.of(Transport.TCP, 80)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
                    assertThat(e.protocolCode()).hasValue(2);
                });
    }

    @Test
    void routerRebootIsSeenThroughTheEpochAndRenewRestoresForwarding() throws Exception {
        LinkedBlockingQueue<GatewayEvent> events = new LinkedBlockingQueue<>();
        mapper.addListener(events::add);
        int port = 41035;
        // the epoch must be clearly above 0 before the reboot, or its reset could not be told apart
        NatPmpClient probe = new NatPmpClient(new InetSocketAddress(GW, NatPmpPortMapper.SERVER_PORT), TIMEOUT,
                r -> { });
        assertThat(Await.until(Duration.ofSeconds(10), () -> epoch(probe) >= 5)).isTrue();
        PortMapping m = map(MappingRequest.of(Transport.TCP, port).withLifetime(Duration.ofMinutes(10)));
        assertThat(wanReaches(Transport.TCP, port)).isTrue();

        assertThat(lab("restart").exit()).isZero(); // miniupnpd restarts: epoch 0, mappings flushed
        assertThat(wanReaches(Transport.TCP, port)).as("the reboot flushed the mapping").isFalse();

        PortMapping renewed = mapper.renew(m);
        GatewayEvent e = events.poll(3, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(GatewayEvent.Kind.STATE_LOST);
        assertThat(renewed.externalPort()).isEqualTo(port);
        assertThat(wanReaches(Transport.TCP, port)).as("renew re-created the mapping").isTrue();
    }

    @Test
    void mapAndUnmapTakeOneRoundTripEachNotARetransmission() throws Exception {
        // miniupnpd answers at once: a map (2 exchanges: map + external address) must not wait 250 ms anywhere
        long[] mapMicros = new long[15];
        for (int i = 0; i < mapMicros.length; i++) {
            long start = System.nanoTime();
            PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 41040).withLifetime(Duration.ofMinutes(5)));
            mapMicros[i] = (System.nanoTime() - start) / 1000;
            mapper.unmap(m);
        }
        java.util.Arrays.sort(mapMicros);
        org.slf4j.LoggerFactory.getLogger(NatPmpLabTest.class).info("NAT-PMP map in the lab: median {} us, max {} us",
                mapMicros[mapMicros.length / 2], mapMicros[mapMicros.length - 1]);
        assertThat(mapMicros[mapMicros.length / 2]).isLessThan(100_000);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private PortMapping map(MappingRequest request) throws PortMappingException {
        PortMapping m = mapper.map(request);
        made.add(m);
        return m;
    }

    private static long epoch(NatPmpClient client) {
        try {
            return client.exchange(new NatPmpRequest.ExternalAddress()).epoch();
        } catch (PortMappingException e) {
            return -1;
        }
    }

    /** A listener here on {@code port}; the WAN host sends to the router's WAN address and must get "ack:". */
    private static boolean wanReaches(Transport transport, int port) throws Exception {
        String msg = "natpmp-lab-" + transport.lowerName() + "-" + port + "-" + System.nanoTime();
        Thread listener = transport == Transport.TCP ? tcpEcho(port) : udpEcho(port);
        try {
            Result r = lab("wan", "python3", HELPER.toString(), "send", transport.lowerName(), GW_WAN,
                    Integer.toString(port), msg, "--timeout", "2");
            return r.exit() == 0 && r.output().contains("ack:" + msg);
        } finally {
            listener.interrupt();
            listener.join(3000);
        }
    }

    private static Thread tcpEcho(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port));
        server.setSoTimeout(3000);
        Thread t = new Thread(() -> {
            try (server; Socket s = server.accept()) {
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1024];
                int n = in.read(buf);
                OutputStream out = s.getOutputStream();
                out.write(("ack:" + new String(buf, 0, Math.max(n, 0), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // nothing came: the caller sees the sender fail
            }
        }, "lab-tcp-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread udpEcho(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(null);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(port));
        socket.setSoTimeout(3000);
        Thread t = new Thread(() -> {
            try (socket) {
                DatagramPacket p = new DatagramPacket(new byte[1024], 1024);
                socket.receive(p);
                byte[] ack = ("ack:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(ack, ack.length, p.getSocketAddress()));
            } catch (IOException e) {
                // nothing came
            }
        }, "lab-udp-echo");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private record Result(int exit, String output) {
    }

    private static Result lab(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(LAB.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no DNS lookup
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
