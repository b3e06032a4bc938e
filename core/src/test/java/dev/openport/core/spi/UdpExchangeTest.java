package dev.openport.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.UdpExchange.Verdict;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared request/answer exchange against a real loopback peer. */
class UdpExchangeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final UdpExchange.AnswerFilter<String> TEXT = (data, length) -> {
        String s = new String(data, 0, length, StandardCharsets.US_ASCII);
        return s.startsWith("answer ") ? Verdict.accept(s) : s.startsWith("junk") ? Verdict.malformed(s)
                : Verdict.ignore(s);
    };

    /** A UDP peer on loopback that records what arrives and answers as scripted. */
    static final class Peer implements AutoCloseable {
        final DatagramSocket socket;
        final List<Long> arrivals = new CopyOnWriteArrayList<>();
        final List<InetSocketAddress> sources = new CopyOnWriteArrayList<>();
        volatile BiConsumer<String, InetSocketAddress> script = (req, from) -> { };
        private final Thread thread;

        Peer() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            thread = new Thread(this::serve, "udp-exchange-test-peer");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(String text, InetSocketAddress to) {
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            try {
                socket.send(new DatagramPacket(b, b.length, to));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private void serve() {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    arrivals.add(System.nanoTime());
                    sources.add((InetSocketAddress) p.getSocketAddress());
                    script.accept(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII),
                            (InetSocketAddress) p.getSocketAddress());
                } catch (IOException e) {
                    // closed
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private Peer peer;

    @BeforeEach
    void start() throws IOException {
        peer = new Peer();
    }

    @AfterEach
    void stop() {
        peer.close();
    }

    private static long in(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    private UdpExchange open() throws PortMappingException {
        return UdpExchange.open(MappingProtocol.NAT_PMP, peer.address(), LOOPBACK, 1100);
    }

    @Test
    void retransmitsOnTheScheduleUntilAnswered() throws Exception {
        peer.script = (req, from) -> {
            if (peer.arrivals.size() == 4) {
                peer.send("answer " + req, from);
            }
        };
        RetransmissionPolicy policy = new RetransmissionPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 0, 0);
        try (UdpExchange udp = open()) {
            UdpExchange.Answer<String> a = udp.exchange("req".getBytes(StandardCharsets.US_ASCII), policy,
                    in(Duration.ofSeconds(5)), false, "test", TEXT);
            assertThat(a.answer()).isEqualTo("answer req");
            assertThat(a.sends()).isEqualTo(4);
        }
        long[] expected = {100, 200, 400};
        for (int i = 0; i < 3; i++) {
            long gapMs = (peer.arrivals.get(i + 1) - peer.arrivals.get(i)) / 1_000_000;
            assertThat(gapMs).as("gap %d", i + 1).isBetween(expected[i] - 15, expected[i] + 150);
        }
    }

    @Test
    void givesUpAfterTheLastSendsWaitWithNoAnswerLongBeforeTheDeadline() throws Exception {
        RetransmissionPolicy policy = new RetransmissionPolicy(Duration.ofMillis(20), Duration.ofSeconds(1), 3, 0);
        long start = System.nanoTime();
        try (UdpExchange udp = open()) {
            assertThatThrownBy(() -> udp.exchange(new byte[] {1}, policy, in(Duration.ofSeconds(5)), false, "test",
                    TEXT)).isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                        PortMappingException.NoAnswer n = (PortMappingException.NoAnswer) e.failure().orElseThrow();
                        assertThat(n.sends()).isEqualTo(3);
                        assertThat(n.elapsed()).isBetween(Duration.ofMillis(135), Duration.ofMillis(1500));
                        assertThat(e.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
                    });
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
        assertThat(peer.arrivals).hasSize(3);
    }

    @Test
    void lateDuplicatesOfAnEarlierAnswerAreIgnoredByTheNextExchange() throws Exception {
        // the peer answers every request twice, the copy 150 ms late: the second exchange on the same socket must
        // not take the first request's late copy for its own answer
        peer.script = (req, from) -> {
            peer.send("answer " + req, from);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
                peer.send("answer " + req, from);
            });
            t.setDaemon(true);
            t.start();
        };
        RetransmissionPolicy policy = new RetransmissionPolicy(Duration.ofMillis(400), Duration.ofSeconds(1), 0, 0);
        try (UdpExchange udp = open()) {
            String first = udp.exchange("one".getBytes(StandardCharsets.US_ASCII), policy, in(Duration.ofSeconds(2)),
                    false, "first", TEXT).answer();
            assertThat(first).isEqualTo("answer one");
            peer.script = (req, from) -> {
                try {
                    Thread.sleep(300); // the late copy of "one" arrives first
                } catch (InterruptedException e) {
                    return;
                }
                peer.send("answer " + req, from);
            };
            UdpExchange.AnswerFilter<String> onlyTwo = (data, length) -> {
                Verdict<String> v = TEXT.examine(data, length);
                return v instanceof Verdict.Accept<String> a && !a.answer().endsWith("two")
                        ? Verdict.ignore("late duplicate: " + a.answer()) : v;
            };
            String second = udp.exchange("two".getBytes(StandardCharsets.US_ASCII), policy, in(Duration.ofSeconds(2)),
                    false, "second", onlyTwo).answer();
            assertThat(second).isEqualTo("answer two");
        }
    }

    @Test
    void onlyMalformedAnswersEndInProtocolError() throws Exception {
        peer.script = (req, from) -> peer.send("junk!", from);
        try (UdpExchange udp = open()) {
            assertThatThrownBy(() -> udp.exchange(new byte[] {1}, RetransmissionPolicy.natPmp(),
                    in(Duration.ofMillis(400)), false, "test", TEXT))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
                        assertThat(e.failure()).contains(new PortMappingException.Malformed("junk!"));
                    });
        }
    }

    @Test
    void oversizedDatagramsAreMalformedAndTheRealAnswerStillWins() throws Exception {
        peer.script = (req, from) -> {
            peer.send("answer " + "x".repeat(1200), from);
            peer.send("answer ok", from);
        };
        try (UdpExchange udp = open()) {
            assertThat(udp.exchange(new byte[] {1}, RetransmissionPolicy.natPmp(), in(Duration.ofSeconds(2)), false,
                    "test", TEXT).answer()).isEqualTo("answer ok");
        }
    }

    @Test
    void icmpUnreachableIsUnsupportedAtOnceUnlessTheGatewayAnsweredBefore() throws Exception {
        InetSocketAddress closed = peer.address();
        peer.close();
        long start = System.nanoTime();
        try (UdpExchange udp = UdpExchange.open(MappingProtocol.PCP, closed, LOOPBACK, 1100)) {
            assertThatThrownBy(() -> udp.exchange(new byte[] {1}, RetransmissionPolicy.natPmp(),
                    in(Duration.ofSeconds(3)), false, "PCP test", TEXT))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                        assertThat(e.failure()).contains(new PortMappingException.Unreachable(closed.getPort()));
                        assertThat(e.protocol()).isEqualTo(MappingProtocol.PCP);
                    });
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
        try (UdpExchange udp = UdpExchange.open(MappingProtocol.PCP, closed, LOOPBACK, 1100)) {
            assertThatThrownBy(() -> udp.exchange(new byte[] {1}, RetransmissionPolicy.natPmp(),
                    in(Duration.ofMillis(700)), true, "PCP test", TEXT))
                    .isInstanceOfSatisfying(PortMappingException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                        assertThat(e.getMessage()).contains("ICMP port unreachable");
                    });
        }
    }

    @Test
    void theSocketLeavesFromTheGivenLocalAddress() throws Exception {
        InetAddress second = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        peer.script = (req, from) -> peer.send("answer ok", from);
        try (UdpExchange udp = UdpExchange.open(MappingProtocol.NAT_PMP, peer.address(), second, 1100)) {
            assertThat(udp.localAddress()).isEqualTo(second);
            udp.exchange(new byte[] {1}, RetransmissionPolicy.natPmp(), in(Duration.ofSeconds(2)), false, "t", TEXT);
        }
        assertThat(peer.sources.get(0).getAddress()).isEqualTo(second);
    }

    @Test
    void aLocalAddressThatIsNotOursIsASocketError() {
        assertThatThrownBy(() -> UdpExchange.open(MappingProtocol.NAT_PMP, peer.address(),
                InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 55}), 1100))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.GATEWAY_NOT_FOUND);
                    assertThat(e.failure()).containsInstanceOf(PortMappingException.SocketError.class);
                });
    }
}
