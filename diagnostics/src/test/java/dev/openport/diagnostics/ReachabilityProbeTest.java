package dev.openport.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The echo proof on loopback: a "mapping" whose external side is the internal port itself arrives; one whose
 * external port leads nowhere does not.
 */
class ReachabilityProbeTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();
    EchoService echo;

    @BeforeEach
    void start() throws Exception {
        echo = EchoService.onLoopback();
    }

    @AfterEach
    void stop() throws Exception {
        echo.close();
    }

    static int freeTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            return s.getLocalPort();
        }
    }

    static PortMapping mapping(Transport t, int internal, int external) {
        return new PortMapping(MappingRequest.of(t, internal), LO, LO, external, Duration.ofHours(1),
                Instant.now().plusSeconds(3600), MappingProtocol.NAT_PMP, LO, ProtocolState.NONE);
    }

    @Test
    void aFailedThatComesAfterTheTimeoutStillDisprovesTheMapping() throws Exception {
        // a router drops the SYN to a port it no longer forwards: the service's FAILED comes only when its own
        // connect gives up, after a 1 s proof's timeout. Read as "no answer", a dead mapping would never be repaired
        try (ServerSocket slow = new ServerSocket(0, 1, LO)) {
            Thread t = new Thread(() -> {
                try (java.net.Socket c = slow.accept()) {
                    c.getInputStream().read(new byte[256]);
                    Thread.sleep(1_800);
                    c.getOutputStream().write("FAILED connect timed out\n".getBytes(
                            java.nio.charset.StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the test fails on the outcome
                }
            }, "openport-test-slow-echo");
            t.setDaemon(true);
            t.start();
            int port = freeTcpPort();
            ReachabilityProbe.Result r = ReachabilityProbe.prove(
                    new InetSocketAddress(LO, slow.getLocalPort()), mapping(Transport.TCP, port, port),
                    Duration.ofSeconds(1));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ReachabilityProbe.Outcome.ECHO_FAILED);
            assertThat(r.outcome().disproven()).isTrue();
            t.join(5_000);
        }
    }

    @Test
    void tcpTokenArrives() throws Exception {
        int port = freeTcpPort();
        ReachabilityProbe.Result r = ReachabilityProbe.prove(echo.address(), mapping(Transport.TCP, port, port),
                Duration.ofSeconds(2));
        assertThat(r.arrived()).as(r.detail()).isTrue();
        assertThat(r.outcome()).isEqualTo(ReachabilityProbe.Outcome.ARRIVED);
        assertThat(echo.requests.get()).isEqualTo(1);
    }

    @Test
    void tcpTokenArrivesOverIpv6() throws Exception {
        InetAddress six = InetAddress.getByName("::1");
        try (EchoService echo6 = new EchoService(new InetSocketAddress(six, 0))) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, six)) {
                port = s.getLocalPort();
            }
            // a pinhole: no translation, the external address is the host's own IPv6 address
            PortMapping pinhole = new PortMapping(MappingRequest.of(Transport.TCP, port), six, six, port,
                    Duration.ofHours(1), Instant.now().plusSeconds(3600), MappingProtocol.UPNP, six,
                    ProtocolState.NONE);
            ReachabilityProbe.Result r = ReachabilityProbe.prove(echo6.address(), pinhole, Duration.ofSeconds(2));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ReachabilityProbe.Outcome.ARRIVED);
        }
    }

    @Test
    void udpTokenArrives() throws Exception {
        int port = freeUdpPort();
        ReachabilityProbe.Result r = ReachabilityProbe.prove(echo.address(), mapping(Transport.UDP, port, port),
                Duration.ofSeconds(2));
        assertThat(r.arrived()).as(r.detail()).isTrue();
    }

    @Test
    void tcpToAPortThatForwardsNowhereDoesNotArriveAndSaysWhy() throws Exception {
        ReachabilityProbe.Result r = ReachabilityProbe.prove(echo.address(),
                mapping(Transport.TCP, freeTcpPort(), freeTcpPort()), Duration.ofSeconds(2));
        assertThat(r.arrived()).isFalse();
        assertThat(r.detail()).startsWith("the echo service answered: FAILED");
        assertThat(r.outcome()).isEqualTo(ReachabilityProbe.Outcome.ECHO_FAILED);
        assertThat(r.outcome().disproven()).isTrue();
    }

    @Test
    void udpToAPortThatForwardsNowhereTimesOutWithoutArrival() throws Exception {
        int internal = freeUdpPort();
        int elsewhere = freeUdpPort();
        ReachabilityProbe.Result r = ReachabilityProbe.prove(echo.address(),
                mapping(Transport.UDP, internal, elsewhere == internal ? elsewhere + 1 : elsewhere),
                Duration.ofMillis(600));
        assertThat(r.arrived()).isFalse();
        assertThat(r.detail()).contains("did not arrive");
        assertThat(r.outcome()).isEqualTo(ReachabilityProbe.Outcome.NOT_ARRIVED);
    }

    @Test
    void tcpWhileAProgramListensIsProvenByTheEchoServicesConnection() throws Exception {
        try (ServerSocket app = new ServerSocket(0, 5, LO)) {
            int port = app.getLocalPort();
            ReachabilityProbe.Result r = ReachabilityProbe.proveConnect(echo.address(),
                    mapping(Transport.TCP, port, port), Duration.ofSeconds(2));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ReachabilityProbe.Outcome.CONNECTED);
            assertThat(r.outcome().proven()).isTrue();
            assertThat(r.arrived()).isFalse(); // nothing arrived here: the program got it
            assertThat(r.detail()).contains("connected to");
        }
    }

    @Test
    void connectProofToAPortWhereNothingListensFails() throws Exception {
        int port = freeTcpPort();
        ReachabilityProbe.Result r = ReachabilityProbe.proveConnect(echo.address(),
                mapping(Transport.TCP, port, port), Duration.ofSeconds(2));
        assertThat(r.outcome()).isEqualTo(ReachabilityProbe.Outcome.ECHO_FAILED);
        assertThat(r.outcome().proven()).isFalse();
    }

    @Test
    void connectProofIsTcpOnly() throws Exception {
        int port = freeUdpPort();
        assertThatThrownBy(() -> ReachabilityProbe.proveConnect(echo.address(), mapping(Transport.UDP, port, port),
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEchoServiceThatSaysNothingIsNoAnswerNotAFailedProof() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 5, LO)) { // accepts (backlog) and never answers
            int port = freeTcpPort();
            ReachabilityProbe.Result r = ReachabilityProbe.prove(
                    new InetSocketAddress(LO, mute.getLocalPort()), mapping(Transport.TCP, port, port),
                    Duration.ofMillis(400));
            assertThat(r.outcome()).isEqualTo(ReachabilityProbe.Outcome.NO_ANSWER);
            assertThat(r.outcome().disproven()).isFalse();
        }
    }

    @Test
    void resultRefusesAContradiction() {
        assertThatThrownBy(() -> new ReachabilityProbe.Result(true, "x", Duration.ZERO,
                ReachabilityProbe.Outcome.NOT_ARRIVED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void internalPortAlreadyInUseIsAConflict() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, LO)) {
            int port = busy.getLocalPort();
            assertThatThrownBy(() -> ReachabilityProbe.prove(echo.address(), mapping(Transport.TCP, port, port),
                    Duration.ofSeconds(1))).isInstanceOfSatisfying(PortMappingException.class,
                            e -> assertThat(e.reason()).isEqualTo(PortMappingException.Reason.CONFLICT));
        }
    }

    @Test
    void echoServiceDownIsANetworkFailure() throws Exception {
        InetSocketAddress gone = echo.address();
        echo.close();
        int port = freeTcpPort();
        assertThatThrownBy(() -> ReachabilityProbe.prove(gone, mapping(Transport.TCP, port, port),
                Duration.ofSeconds(1))).isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(PortMappingException.Reason.NETWORK_FAILURE));
    }
}
