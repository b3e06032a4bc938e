package dev.openport.natpmp;

import static dev.openport.natpmp.FakeNatPmpGateway.ipv4;
import static dev.openport.natpmp.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Answers the NAT-PMP exchange must ignore, from a real loopback peer: other sources, other opcodes, other ports,
 * malformed datagrams, floods; and the VPN-style answers it must still accept.
 */
class NatPmpUntrustedAnswersTest extends LoopbackNatPmpGatewayTest {
    @Test
    void answerFromAnotherSourcePortIsIgnored() throws Exception {
        AtomicInteger n = new AtomicInteger();
        gw.script((req, peer) -> {
            if (n.getAndIncrement() == 0) {
                peer.sendFromOtherPort(peer.standardAnswer());
            } else {
                peer.answer();
            }
        });
        client(Duration.ofSeconds(3)).exchange(MAP_TCP);
        assertThat(gw.requests()).hasSize(2); // the first answer did not count
    }

    @Test
    void answerFromAnotherAddressIsIgnored() throws Exception {
        gw.script((req, peer) -> peer.sendFromOtherAddress(peer.standardAnswer()));
        assertIgnoredUntilTimeout(MAP_TCP);
    }

    @Test
    void wrongOpcodeIsIgnoredAndTheRightAnswerStillAccepted() throws Exception {
        gw.script((req, peer) -> {
            // an address answer and a UDP answer to a TCP request, then the right one
            peer.send(NatPmpCodec.encode(new NatPmpResponse.ExternalAddress(0, 1, ipv4("198.51.100.1"))));
            peer.send(NatPmpCodec.encode(new NatPmpResponse.Map(Transport.UDP, 0, 1, 25565, 1, 60)));
            peer.answer();
        });
        NatPmpResponse r = client(Duration.ofSeconds(2)).exchange(MAP_TCP);
        assertThat(r).isEqualTo(new NatPmpResponse.Map(Transport.TCP, 0, r.epoch(), 25565, 25565, 7200));
        assertThat(gw.requests()).hasSize(1);
        assertThat(observed).containsExactly(r);
    }

    @Test
    void answerForAnotherInternalPortIsIgnored() throws Exception {
        gw.script((req, peer) -> {
            // internal 9999 -> external 40000: neither our port, nor 0, nor the granted port
            peer.send(NatPmpCodec.encode(new NatPmpResponse.Map(Transport.TCP, 0, 1, 9999, 40000, 60)));
            peer.answer();
        });
        NatPmpResponse.Map r = (NatPmpResponse.Map) client(Duration.ofSeconds(2)).exchange(MAP_TCP);
        assertThat(r.internalPort()).isEqualTo(25565);
    }

    @ParameterizedTest(name = "internal port field {0}")
    @CsvSource({"0", "38534"})
    void vpnStyleAnswerWithInternalPortZeroOrTheGrantedPortIsAccepted(int field) throws Exception {
        // ProtonVPN-style: the gateway grants 38534 whatever was suggested and answers internal port 0 (or 38534)
        gw.script((req, peer) -> peer.send(NatPmpCodec.encode(
                new NatPmpResponse.Map(Transport.UDP, 0, 7, field, 38534, 60))));
        NatPmpResponse.Map r = (NatPmpResponse.Map) client(Duration.ofSeconds(2))
                .exchange(new NatPmpRequest.Map(Transport.UDP, 51000, 0, 60));
        assertThat(r.externalPort()).isEqualTo(38534);
        assertThat(r.internalPort()).isEqualTo(field);
        assertThat(gw.requests()).hasSize(1);
        assertThat(observed).containsExactly(r);
    }

    @Test
    void vpnStyleAnswerForTheOtherTransportIsStillIgnored() {
        gw.script((req, peer) -> peer.send(NatPmpCodec.encode(
                new NatPmpResponse.Map(Transport.TCP, 0, 7, 0, 38534, 60))));
        assertIgnoredUntilTimeout(new NatPmpRequest.Map(Transport.UDP, 51000, 0, 60));
    }

    @Test
    void vpnStyleAnswerFromAnotherSourceIsStillIgnored() {
        AtomicInteger n = new AtomicInteger();
        gw.script((req, peer) -> {
            byte[] vpn = NatPmpCodec.encode(new NatPmpResponse.Map(Transport.UDP, 0, 7, 0, 38534, 60));
            if (n.getAndIncrement() % 2 == 0) {
                peer.sendFromOtherPort(vpn);
            } else {
                peer.sendFromOtherAddress(vpn);
            }
        });
        assertIgnoredUntilTimeout(new NatPmpRequest.Map(Transport.UDP, 51000, 0, 60));
    }

    @Test
    void truncatedAndOversizedDatagramsAreIgnored() throws Exception {
        gw.script((req, peer) -> {
            byte[] good = peer.standardAnswer();
            peer.send(java.util.Arrays.copyOf(good, good.length - 1)); // truncated
            byte[] big = java.util.Arrays.copyOf(good, 4000); // valid prefix, far too long
            peer.send(big);
            peer.send(java.util.Arrays.copyOf(good, NatPmpClient.RECEIVE_BUFFER)); // exactly the buffer size
            peer.send(good);
        });
        NatPmpResponse r = client(Duration.ofSeconds(2)).exchange(MAP_TCP);
        assertThat(r).isInstanceOf(NatPmpResponse.Map.class);
        assertThat(observed).hasSize(1);
    }

    @Test
    void onlyMalformedAnswersEndInProtocolErrorAtTheDeadline() throws Exception {
        gw.script((req, peer) -> peer.send(bytes("0082000000000001007b")));
        long start = System.nanoTime();
        assertThatThrownBy(() -> client(Duration.ofMillis(600)).exchange(MAP_TCP))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
                    assertThat(e.getMessage()).contains("malformed");
                });
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(590L, 1200L);
    }

    @Test
    void floodOfTenThousandJunkDatagramsDoesNotStarveTheRealAnswer() throws Exception {
        Random random = new Random(42);
        AtomicInteger n = new AtomicInteger();
        gw.script((req, peer) -> {
            if (n.getAndIncrement() > 0) {
                peer.answer(); // a retransmission: answer at once
                return;
            }
            for (int i = 0; i < 10_000; i++) {
                byte[] junk = new byte[random.nextInt(40)];
                random.nextBytes(junk);
                if (i % 3 == 0) {
                    // well-formed but wrong: another internal port
                    // (never 0 nor the granted port 1: those are VPN-style answers and would be accepted)
                    junk = NatPmpCodec.encode(new NatPmpResponse.Map(Transport.TCP, 0, i, i | 0x8000, 1, 1));
                }
                if (i % 2 == 0) {
                    peer.send(junk);
                } else {
                    peer.sendFromOtherPort(junk);
                }
            }
            peer.answer();
        });
        long start = System.nanoTime();
        NatPmpResponse r = client(Duration.ofSeconds(3)).exchange(MAP_TCP);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r).isInstanceOfSatisfying(NatPmpResponse.Map.class,
                m -> assertThat(m.internalPort()).isEqualTo(25565));
        assertThat(ms).isLessThan(3000);
        assertThat(observed).containsExactly(r);
        // usually the first answer wins; if the kernel's buffer overflowed, one retransmission may be needed
        assertThat(gw.requests()).as("took " + ms + " ms").hasSizeLessThanOrEqualTo(2);
    }

    /** Every answer to {@code request} is ignored: the exchange times out and no answer was accepted. */
    private void assertIgnoredUntilTimeout(NatPmpRequest request) {
        assertThatThrownBy(() -> client(Duration.ofMillis(600)).exchange(request))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        assertThat(observed).isEmpty();
    }
}
