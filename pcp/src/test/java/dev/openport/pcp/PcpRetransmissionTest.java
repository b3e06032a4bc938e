package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Retransmission, timeouts, ICMP, interrupts and the network guard, against an in-process PCP server on loopback. */
class PcpRetransmissionTest extends LoopbackPcpServerTest {
    @Test
    void lostFirstDatagramsAreRetransmittedFastWithTheSameBytes() throws Exception {
        server.dropNext.set(2);
        long start = System.nanoTime();
        PortMapping m = mapper().map(MappingRequest.of(Transport.TCP, 7000));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(m.externalPort()).isEqualTo(7000);
        assertThat(server.datagramsReceived()).isEqualTo(3);
        List<PcpMessage> sent = mapRequests();
        assertThat(sent.get(0)).isEqualTo(sent.get(1)).isEqualTo(sent.get(2));
        // 250 ms + 500 ms (+-10 %) rather than the RFC's 3 s + 6 s
        assertThat(ms).isBetween(600L, 1500L);
    }

    @Test
    void healthyGatewayAnswersInOneRoundTrip() throws Exception {
        PcpPortMapper m = mapper();
        m.map(MappingRequest.of(Transport.TCP, 7001));   // warm up class loading
        long start = System.nanoTime();
        m.map(MappingRequest.of(Transport.TCP, 7002));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(200);
        assertThat(server.datagramsReceived()).isEqualTo(2);
    }

    @Test
    void silentGatewayTimesOutOnTimeAfterRetrying() throws Exception {
        server.responder = (req, raw, s) -> List.of();
        long start = System.nanoTime();
        assertThatThrownBy(() -> mapper(Duration.ofMillis(900)).map(MappingRequest.of(Transport.UDP, 5000)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.TIMEOUT));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).isBetween(850L, 1400L);
        assertThat(server.datagramsReceived()).isBetween(3, 4);   // 0, ~250, ~750 ms
    }

    @Test
    void closedPortFailsFastWithIcmpUnreachable() throws Exception {
        int port;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(LOOPBACK, 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        ProbeContext ctx = new ProbeContext(LOOPBACK, LOOPBACK, Duration.ofSeconds(2), port, null, false);
        long start = System.nanoTime();
        // the same reason and failure as NAT-PMP gives for the same event (one classification in core's SPI)
        assertThatThrownBy(() -> new PcpProvider().probe(ctx)).isInstanceOfSatisfying(PortMappingException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.failure()).contains(new PortMappingException.Unreachable(port));
                });
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
    }

    @Test
    void interruptEndsAWaitAtOnce() throws Exception {
        server.responder = (req, raw, s) -> List.of();
        PcpPortMapper m = mapper(Duration.ofSeconds(30));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                m.map(MappingRequest.of(Transport.UDP, 5000));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        await(() -> server.datagramsReceived() > 0, "the first request");
        long start = System.nanoTime();
        t.interrupt();
        t.join(2000);
        assertThat(t.isAlive()).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
        assertThat(failure.get()).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.getMessage()).contains("interrupted"));
    }

    @Test
    void networkGuardRefusesANonLoopbackGatewayInTests() {
        // the guard must trip before anything is sent to this documentation address
        ProbeContext ctx = new ProbeContext(parse("192.0.2.1"), LOOPBACK, Duration.ofSeconds(1), 5351, null, false);
        assertThatThrownBy(() -> new PcpProvider().probe(ctx)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("loopbackOnly");
    }

    private static InetAddress parse(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
