package dev.openport.bench;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateways;
import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.upnp.UpnpBenchHooks;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * In-process, warm-JVM time from call to mapping, per protocol, in the gateway lab (issue #8). For each of
 * NAT-PMP, PCP and UPnP it times, over {@code runs} repetitions after a warm-up:
 * <ul>
 *   <li><b>discovery</b>: {@code Gateways.connect()} with the default gateway found from the routing table (and,
 *       for UPnP, the description URL the JVM remembers from its first SSDP search) and then {@code map()};</li>
 *   <li><b>discovery, fresh SSDP search</b> (UPnP): the same after forgetting that URL, so every run
 *       searches: what a fresh application pays;</li>
 *   <li><b>known gateway</b>: the same with the gateway (and for UPnP the description URL) given, so no
 *       route lookup and no SSDP: connect still probes, then maps;</li>
 *   <li><b>warm mapper</b>: {@code map()} on a connected mapper: one request, the cost of each further
 *       mapping.</li>
 * </ul>
 * Each timed map is followed by an untimed unmap (and close). It also measures the round-trip time to the
 * router: NAT-PMP external-address request/answer (UDP, includes miniupnpd's processing) and a TCP connect to
 * its HTTP port. Prints median and p99 in ms.
 *
 * <p>Refuses to run outside the lab (it needs 198.18.0.2 on a local interface): run it with
 * {@code bench/lab-inprocess.sh} or {@code lab/gateway-lab exec java -cp bench/target/benchmarks.jar
 * dev.openport.bench.MappingLatencyBench [runs]}.
 */
public final class MappingLatencyBench {
    static final String CLIENT = "198.18.0.2";
    static final String GATEWAY = "198.18.0.1";
    static final URI ROOT_DESC = URI.create("http://198.18.0.1:2869/rootDesc.xml");
    static final int FIRST_PORT = 41000;

    private final int runs;
    private final int warmup;
    private int nextPort;
    private int tcpFailures;

    private MappingLatencyBench(int runs, int warmup) {
        this.runs = runs;
        this.warmup = warmup;
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        if (!inLab()) {
            System.err.println("MappingLatencyBench talks to a real router: run it in the gateway lab's client "
                    + "namespace (bench/lab-inprocess.sh); " + CLIENT + " is not a local address here");
            System.exit(2);
        }
        new MappingLatencyBench(runs, warmup).run();
    }

    static boolean inLab() throws SocketException {
        InetAddress client;
        try {
            client = InetAddress.getByName(CLIENT);
        } catch (IOException e) {
            return false;
        }
        return NetworkInterface.getByInetAddress(client) != null;
    }

    /** A timed operation: returns the nanoseconds that count, does its own untimed clean-up. */
    interface Timed {
        long once() throws Exception;
    }

    private record Row(String protocol, String variant, Stats stats) {
    }

    private void run() throws Exception {
        InetAddress gw = InetAddress.getByName(GATEWAY);
        System.out.printf(Locale.ROOT, "in-process mapping latency (warm JVM), %d runs each after %d warm-up; "
                + "JDK %s, %d CPUs%n", runs, warmup, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        Stats udpRtt = measure(this::natPmpRtt);
        Stats tcpRtt = measure(this::tcpConnectRtt);
        System.out.printf(Locale.ROOT, "RTT to the router: NAT-PMP external-address request median %s ms, p99 %s "
                + "ms; TCP connect to :2869 median %s ms, p99 %s ms%n", Stats.ms(udpRtt.median()),
                Stats.ms(udpRtt.p99()), Stats.ms(tcpRtt.median()), Stats.ms(tcpRtt.p99()));
        if (tcpFailures > 0) {
            System.out.printf(Locale.ROOT, "  (%d TCP handshakes did not complete within 3 s)%n", tcpFailures);
        }

        List<Row> rows = new ArrayList<>();
        // the floor for any client: the router's own time for a map (miniupnpd installs nftables rules), as one
        // hand-made request/answer on an open socket, no library
        Stats rawNatPmp = measure(this::rawNatPmpMap);
        Stats rawPcp = measure(this::rawPcpMap);
        rows.add(new Row("NAT-PMP", "raw map exchange (no library)", rawNatPmp));
        rows.add(new Row("PCP", "raw map exchange (no library)", rawPcp));
        for (MappingProtocol p : List.of(MappingProtocol.NAT_PMP, MappingProtocol.PCP, MappingProtocol.UPNP)) {
            DiscoveryOptions discover = DiscoveryOptions.builder().protocols(p).build();
            DiscoveryOptions.Builder known = DiscoveryOptions.builder().protocols(p).gateway(gw);
            if (p == MappingProtocol.UPNP) {
                known.upnpLocation(ROOT_DESC);
            }
            DiscoveryOptions knownGw = known.build();
            rows.add(new Row(p.displayName(), "discovery (connect + map)", measure(() -> connectAndMap(discover))));
            if (p == MappingProtocol.UPNP) {
                // the row above reuses the LOCATION a warm JVM remembers; this one searches every time
                rows.add(new Row(p.displayName(), "discovery, fresh SSDP search", measure(() -> {
                    UpnpBenchHooks.forgetLocation(gw);
                    return connectAndMap(discover);
                })));
            }
            rows.add(new Row(p.displayName(), "known gateway (connect + map)", measure(() -> connectAndMap(knownGw))));
            try (PortMapper mapper = Gateways.connect(knownGw)) {
                rows.add(new Row(p.displayName(), "warm mapper (map only)", measure(() -> mapOnly(mapper))));
            }
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "| protocol | what is timed | runs | median ms | p99 ms |%n");
        System.out.printf(Locale.ROOT, "|---|---|---:|---:|---:|%n");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s |%n", r.protocol(), r.variant(),
                    r.stats().count(), Stats.ms(r.stats().median()), Stats.ms(r.stats().p99()));
        }
        long rtt = udpRtt.median();
        System.out.println();
        System.out.printf(Locale.ROOT, "targets (RTT = NAT-PMP request median %s ms):%n", Stats.ms(rtt));
        target(rows, "NAT-PMP", "warm mapper (map only)", rtt + 1_000_000L, "<= 1 RTT + 1 ms");
        target(rows, "PCP", "warm mapper (map only)", rtt + 1_000_000L, "<= 1 RTT + 1 ms");
        target(rows, "NAT-PMP", "discovery (connect + map)", rtt + 1_000_000L, "<= 1 RTT + 1 ms");
        target(rows, "PCP", "discovery (connect + map)", rtt + 1_000_000L, "<= 1 RTT + 1 ms");
        target(rows, "UPnP", "discovery (connect + map)", 3 * rtt + 5_000_000L, "<= 3 RTT + 5 ms");
        target(rows, "UPnP", "discovery, fresh SSDP search", 3 * rtt + 5_000_000L, "<= 3 RTT + 5 ms");
        System.out.printf(Locale.ROOT, "the same with RTT = the raw map exchange (the router's own time for a "
                + "mapping included): NAT-PMP %s ms, PCP %s ms:%n", Stats.ms(rawNatPmp.median()),
                Stats.ms(rawPcp.median()));
        target(rows, "NAT-PMP", "warm mapper (map only)", rawNatPmp.median() + 1_000_000L, "<= 1 map RTT + 1 ms");
        target(rows, "PCP", "warm mapper (map only)", rawPcp.median() + 1_000_000L, "<= 1 map RTT + 1 ms");
        target(rows, "NAT-PMP", "discovery (connect + map)", rawNatPmp.median() + 1_000_000L,
                "<= 1 map RTT + 1 ms");
        target(rows, "PCP", "discovery (connect + map)", rawPcp.median() + 1_000_000L, "<= 1 map RTT + 1 ms");
        target(rows, "UPnP", "discovery (connect + map)", 3 * rawNatPmp.median() + 5_000_000L,
                "<= 3 map RTT + 5 ms");
        target(rows, "UPnP", "discovery, fresh SSDP search", 3 * rawNatPmp.median() + 5_000_000L,
                "<= 3 map RTT + 5 ms");
    }

    private static void target(List<Row> rows, String protocol, String variant, long limit, String text) {
        for (Row r : rows) {
            if (r.protocol().equals(protocol) && r.variant().equals(variant)) {
                long m = r.stats().median();
                System.out.printf(Locale.ROOT, "  %-8s %-30s median %8s ms  %s = %s ms: %s%n", protocol, variant,
                        Stats.ms(m), text, Stats.ms(limit), m <= limit ? "MET" : "MISSED");
            }
        }
    }

    private Stats measure(Timed op) throws Exception {
        for (int i = 0; i < warmup; i++) {
            op.once();
        }
        long[] t = new long[runs];
        for (int i = 0; i < runs; i++) {
            t[i] = op.once();
        }
        return Stats.of(t);
    }

    private int port() {
        int p = FIRST_PORT + nextPort;
        nextPort = (nextPort + 1) % 1000;
        return p;
    }

    private long connectAndMap(DiscoveryOptions options) throws PortMappingException {
        MappingRequest req = MappingRequest.of(Transport.TCP, port()).withLifetime(Duration.ofMinutes(10));
        long t0 = System.nanoTime();
        PortMapper mapper = Gateways.connect(options);
        long took;
        try {
            PortMapping m = mapper.map(req);
            took = System.nanoTime() - t0;
            mapper.unmap(m);
        } finally {
            mapper.close();
        }
        return took;
    }

    private long mapOnly(PortMapper mapper) throws PortMappingException {
        MappingRequest req = MappingRequest.of(Transport.TCP, port()).withLifetime(Duration.ofMinutes(10));
        long t0 = System.nanoTime();
        PortMapping m = mapper.map(req);
        long took = System.nanoTime() - t0;
        mapper.unmap(m);
        return took;
    }

    /** A NAT-PMP TCP map request for a fresh port (RFC 6886 §3.3) and its 16-byte answer; then an untimed delete. */
    private long rawNatPmpMap() throws IOException {
        int port = port();
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.connect(new InetSocketAddress(GATEWAY, 5351));
            byte[] in = new byte[64];
            DatagramPacket answer = new DatagramPacket(in, in.length);
            long t0 = System.nanoTime();
            s.send(new DatagramPacket(natPmpMap(port, 600), 12));
            s.receive(answer);
            long took = System.nanoTime() - t0;
            if (answer.getLength() != 16 || (in[1] & 0xFF) != 130 || in[3] != 0) {
                throw new IOException("NAT-PMP map refused or malformed (" + answer.getLength() + " bytes, result "
                        + in[3] + ")");
            }
            s.send(new DatagramPacket(natPmpMap(port, 0), 12));
            s.receive(answer);
            return took;
        }
    }

    private static byte[] natPmpMap(int port, int lifetime) {
        return new byte[] {0, 2, 0, 0, (byte) (port >> 8), (byte) port, (byte) (lifetime == 0 ? 0 : port >> 8),
            (byte) (lifetime == 0 ? 0 : port), (byte) (lifetime >>> 24), (byte) (lifetime >> 16),
            (byte) (lifetime >> 8), (byte) lifetime};
    }

    /** A PCP MAP request for a fresh port (RFC 6887 §11.1, 60 octets) and its answer; then an untimed delete. */
    private long rawPcpMap() throws IOException {
        int port = port();
        byte[] nonce = new byte[12];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(nonce);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(2000);
            s.connect(new InetSocketAddress(GATEWAY, 5351));
            byte[] in = new byte[1100];
            DatagramPacket answer = new DatagramPacket(in, in.length);
            long t0 = System.nanoTime();
            s.send(new DatagramPacket(pcpMap(port, 600, nonce), 60));
            s.receive(answer);
            long took = System.nanoTime() - t0;
            if (answer.getLength() < 60 || (in[1] & 0xFF) != 0x81 || in[3] != 0) {
                throw new IOException("PCP MAP refused or malformed (" + answer.getLength() + " bytes, result "
                        + in[3] + ")");
            }
            s.send(new DatagramPacket(pcpMap(port, 0, nonce), 60));
            s.receive(answer);
            return took;
        }
    }

    private static byte[] pcpMap(int port, int lifetime, byte[] nonce) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(60);
        b.put((byte) 2).put((byte) 1).putShort((short) 0).putInt(lifetime);
        b.put(new byte[10]).putShort((short) 0xFFFF).put(InetAddress.getByName(CLIENT).getAddress()); // ::ffff:v4
        b.put(nonce).put((byte) 6).put(new byte[3]).putShort((short) port).putShort((short) port);
        b.put(new byte[10]).putShort((short) 0xFFFF).put(new byte[4]); // ::ffff:0.0.0.0, no suggestion
        return b.array();
    }

    /** One NAT-PMP external-address request (RFC 6886 §3.2) and its 12-byte answer. */
    private long natPmpRtt() throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            s.connect(new InetSocketAddress(GATEWAY, 5351));
            byte[] in = new byte[16];
            DatagramPacket answer = new DatagramPacket(in, in.length);
            long t0 = System.nanoTime();
            s.send(new DatagramPacket(new byte[] {0, 0}, 2));
            s.receive(answer);
            long took = System.nanoTime() - t0;
            if (answer.getLength() != 12 || (in[1] & 0xFF) != 128) {
                throw new IOException("unexpected NAT-PMP answer of " + answer.getLength() + " bytes");
            }
            return took;
        }
    }

    /**
     * A TCP handshake with the router's HTTP server (SYN, SYN-ACK): one network RTT, no request. A handshake
     * that does not complete in 3 s counts as 3 s (and is reported), so one lost SYN does not end the run.
     */
    private long tcpConnectRtt() {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0); // RST on close: no TIME_WAIT pile-up, miniupnpd frees the slot at once
            long t0 = System.nanoTime();
            s.connect(new InetSocketAddress(GATEWAY, 2869), 3000);
            return System.nanoTime() - t0;
        } catch (IOException e) {
            tcpFailures++;
            return 3_000_000_000L;
        }
    }

}
