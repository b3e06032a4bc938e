package dev.openport.natpmp;

import static dev.openport.natpmp.FakeNatPmpGateway.ipv4;
import static dev.openport.natpmp.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.RetransmissionPolicy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The UDP exchange against a real loopback peer: retransmission, deadline, error results, restarts, interrupts. */
class NatPmpClientTest extends LoopbackNatPmpGatewayTest {
    @Test
    void externalAddressExchange() throws Exception {
        NatPmpResponse r = client(Duration.ofSeconds(2)).exchange(new NatPmpRequest.ExternalAddress());
        assertThat(r).isInstanceOfSatisfying(NatPmpResponse.ExternalAddress.class,
                a -> assertThat(a.address()).isEqualTo(ipv4("203.0.113.7")));
        assertThat(gw.requests()).hasSize(1);
        assertThat(gw.requests().get(0).bytes()).isEqualTo(bytes("0000"));
        assertThat(observed).containsExactly(r);
    }

    @Test
    void retransmitsAfter250ThenDoublingIntervals() throws Exception {
        gw.dropFirst(3);
        NatPmpResponse r = client(Duration.ofSeconds(5)).exchange(MAP_TCP);
        assertThat(r).isInstanceOf(NatPmpResponse.Map.class);
        List<FakeNatPmpGateway.Received> reqs = gw.requests();
        assertThat(reqs).hasSize(4);
        long[] expected = {250, 500, 1000};
        for (int i = 0; i < 3; i++) {
            long gapMs = (reqs.get(i + 1).nanos() - reqs.get(i).nanos()) / 1_000_000;
            assertThat(gapMs).as("gap %d", i + 1).isBetween(expected[i] - 15, expected[i] + 200);
            assertThat(reqs.get(i + 1).bytes()).isEqualTo(reqs.get(0).bytes());
        }
    }

    @Test
    void totalDeadlineCutsRetransmissionShortWithTimeout() throws Exception {
        gw.dropFirst(Integer.MAX_VALUE);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client(Duration.ofMillis(700)).exchange(MAP_TCP))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                    assertThat(e.getMessage()).contains("2 sends");
                    assertThat(e.failure()).containsInstanceOf(PortMappingException.NoAnswer.class);
                });
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(ms).isBetween(690L, 700L + 600);
        assertThat(gw.requests()).hasSize(2); // at 0 and 250 ms; the next would be at 750
    }

    @Test
    void givesUpAfterNineSends() throws Exception {
        gw.dropFirst(Integer.MAX_VALUE);
        NatPmpClient c = new NatPmpClient(gw.address(), null, Duration.ofSeconds(5), observed::add,
                RetransmissionPolicy.natPmp().withInitial(Duration.ofMillis(2)));
        // sends at 0, 2, 6, 14, 30, 62, 126, 254, 510 ms; after the ninth send's 512 ms wait it gives up at 1022 ms,
        // long before the 5 s deadline (RFC 6886 §3.1, scaled down from 250 ms)
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.exchange(MAP_TCP)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("9 sends");
            assertThat(e.failure()).hasValueSatisfying(f -> assertThat(((PortMappingException.NoAnswer) f).sends())
                    .isEqualTo(9));
        });
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1000L, 2500L);
        assertThat(gw.requests()).hasSize(RetransmissionPolicy.natPmp().maxSends());
    }

    @ParameterizedTest(name = "result {0} -> {1}")
    @CsvSource({"1, UNSUPPORTED", "2, NOT_AUTHORIZED", "3, NETWORK_FAILURE", "4, NO_RESOURCES", "5, UNSUPPORTED",
            "17, PROTOCOL_ERROR"})
    void errorResultsEndTheExchangeWithTheirReason(int code, Reason reason) {
        gw.resultCode(code);
        long start = System.nanoTime();
        assertThatThrownBy(() -> client(Duration.ofSeconds(3)).exchange(MAP_TCP))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.protocolCode()).hasValue(code);
                    assertThat(e.gateway()).isEqualTo(InetAddress.getLoopbackAddress());
                });
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(240); // no retransmission needed
        assertThat(observed).hasSize(1); // its epoch still counts
    }

    @Test
    void eightByteErrorAnswerIsAccepted() {
        gw.script((req, peer) -> peer.send(bytes("0082000300000009")));
        assertThatThrownBy(() -> client(Duration.ofSeconds(2)).exchange(MAP_TCP))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NETWORK_FAILURE);
                    assertThat(e.protocolCode()).hasValue(3);
                });
    }

    @Test
    void pcpOnlyGatewayAnswerIsUnsupportedAtOnce() {
        // a PCP-only server's UNSUPP_VERSION: version 2, opcode 0x82, result 1, as the gateway lab sends it
        gw.script((req, peer) -> peer.send(bytes("02820001 00000000 00000007 000000000000000000000000")));
        assertThatThrownBy(() -> client(Duration.ofSeconds(2)).exchange(MAP_TCP))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.getMessage()).contains("PCP");
                });
    }

    @Test
    void closedPortIsUnsupportedWithoutWaitingOutTheDeadline() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = s.getLocalPort();
        }
        NatPmpClient c = new NatPmpClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort),
                Duration.ofSeconds(3), observed::add);
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.exchange(new NatPmpRequest.ExternalAddress()))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.failure()).contains(new PortMappingException.Unreachable(closedPort));
                });
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
    }

    @Test
    void gatewayRestartingMidRequestIsNotMistakenForNoNatPmp() throws Exception {
        // router quirk 4: once the gateway has answered, ICMP port unreachable means "restarting", not "unsupported"
        NatPmpClient c = client(Duration.ofSeconds(4));
        c.exchange(new NatPmpRequest.ExternalAddress());
        int port = gw.port();
        gw.close(); // the daemon is down: the next sends get ICMP port unreachable
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(c.exchange(MAP_TCP));
            } catch (PortMappingException e) {
                outcome.set(e);
            }
        });
        t.start();
        // once a send has hit the closed port, bring the gateway back on the same port
        Thread.sleep(600); // sends at 0 and 250 ms have hit the closed port
        gw = new FakeNatPmpGateway(port);
        t.join(5000);
        assertThat(outcome.get()).isInstanceOf(NatPmpResponse.Map.class);
    }

    @Test
    void gatewayThatAnsweredOnceThenStaysDownTimesOutInsteadOfUnsupported() throws Exception {
        NatPmpClient c = client(Duration.ofMillis(800));
        c.exchange(new NatPmpRequest.ExternalAddress());
        gw.close();
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.exchange(MAP_TCP)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(e.getMessage()).contains("ICMP port unreachable");
        });
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(790L, 1500L);
    }

    @Test
    void interruptEndsTheWaitPromptlyAndKeepsTheFlag() throws Exception {
        gw.dropFirst(Integer.MAX_VALUE);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                client(Duration.ofSeconds(20)).exchange(MAP_TCP);
            } catch (Throwable e) {
                thrown.set(e);
            }
            flag.set(Thread.currentThread().isInterrupted());
        });
        t.start();
        long until = System.nanoTime() + 2_000_000_000L;
        while (gw.requests().isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        long start = System.nanoTime();
        t.interrupt();
        t.join(2000);
        assertThat(t.isAlive()).isFalse();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
        assertThat(thrown.get()).isInstanceOf(PortMappingException.class);
        assertThat(flag.get()).isTrue();
    }

    @Test
    void concurrentExchangesEachGetTheirOwnAnswer() throws Exception {
        NatPmpClient c = client(Duration.ofSeconds(5));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<NatPmpResponse>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int port = 10_000 + i;
                futures.add(pool.submit(() -> c.exchange(new NatPmpRequest.Map(Transport.UDP, port, port, 60))));
            }
            for (int i = 0; i < 40; i++) {
                NatPmpResponse.Map m = (NatPmpResponse.Map) futures.get(i).get();
                assertThat(m.internalPort()).isEqualTo(10_000 + i);
                assertThat(m.externalPort()).isEqualTo(10_000 + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void networkGuardRefusesANonLoopbackGatewayInUnitTests() {
        NatPmpClient c = new NatPmpClient(new InetSocketAddress(ipv4("192.0.2.1"), 5351), Duration.ofSeconds(1),
                observed::add);
        assertThatThrownBy(() -> c.exchange(new NatPmpRequest.ExternalAddress()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("loopbackOnly");
    }
}
