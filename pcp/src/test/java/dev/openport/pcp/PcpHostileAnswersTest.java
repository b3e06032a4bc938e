package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Answers the PCP client must not trust (forged, spoofed, late, malformed) from an in-process server on loopback. */
class PcpHostileAnswersTest extends LoopbackPcpServerTest {
    /** Where the client sent from: the spoofers answer there. */
    private final AtomicReference<InetSocketAddress> lastClient = new AtomicReference<>();

    @Test
    void answerWithAnotherNonceIsIgnored() throws Exception {
        server.responder = (req, raw, s) -> {
            PcpPayload.Map m = req.map();
            byte[] forged = s.reply(req, 0, 7200, new PcpPayload.Map(Octets.zeros(12), m.protocol(),
                    m.internalPort(), 1111, s.externalAddress));
            return List.of(forged, s.mapAnswer(req));
        };
        PortMapping m = mapper().map(MappingRequest.of(Transport.UDP, 6000));
        assertThat(m.externalPort()).isEqualTo(6000);
    }

    @Test
    void onlyWrongNonceAnswersTimeOutSayingWhy() throws Exception {
        server.responder = (req, raw, s) -> List.of(s.reply(req, 0, 7200, new PcpPayload.Map(Octets.zeros(12),
                req.map().protocol(), req.map().internalPort(), 1111, s.externalAddress)));
        assertTimesOutSaying(6000, "nonce mismatch");
    }

    @Test
    void answerFromASpoofedSourceIsIgnored() throws Exception {
        DatagramChannel spoofer = DatagramChannel.open();
        spoofer.bind(new InetSocketAddress(LOOPBACK, 0));
        closeLater.add(spoofer);
        AtomicInteger seen = new AtomicInteger();
        server.responder = (req, raw, s) -> {
            if (seen.incrementAndGet() == 1) {
                // the first answer comes from another port with the right nonce; only the retry is answered
                byte[] spoof = s.reply(req, 0, 7200, new PcpPayload.Map(req.map().nonce(), req.map().protocol(),
                        req.map().internalPort(), 1111, s.externalAddress));
                try {
                    InetSocketAddress client = lastClient.get();
                    spoofer.send(ByteBuffer.wrap(spoof), client);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return List.of();
            }
            return List.of(s.mapAnswer(req));
        };
        server.sourceListener = lastClient::set;
        PortMapping m = mapper().map(MappingRequest.of(Transport.UDP, 6001));
        assertThat(m.externalPort()).isEqualTo(6001);
        assertThat(seen.get()).isEqualTo(2);
    }

    @Test
    void lateDuplicateOfTheProbeAnswerIsNotTakenForTheAnswerToItsDelete() throws Exception {
        // externalAddress() maps and deletes on one socket with one nonce: a late duplicate of the map's answer
        // (same nonce, opcode and port) arriving while the first delete is lost must not pass for the delete's
        AtomicReference<byte[]> probeAnswer = new AtomicReference<>();
        AtomicInteger deletes = new AtomicInteger();
        server.responder = (req, raw, s) -> {
            if (req.lifetime() > 0) {
                probeAnswer.set(s.mapAnswer(req));
                return List.of(probeAnswer.get());
            }
            return deletes.incrementAndGet() == 1 ? List.of(probeAnswer.get()) : List.of(s.mapAnswer(req));
        };
        mapper().externalAddress();
        assertThat(deletes.get()).as("the delete was sent again until really answered").isEqualTo(2);
        assertThat(server.hasMapping(17, mapRequests().get(0).map().internalPort())).isFalse();
    }

    @Test
    void answerFromAnotherAddressIsIgnored() throws Exception {
        // 127.0.0.2 is another host on Linux's loopback /8: the right nonce from the wrong address is not trusted
        DatagramChannel spoofer = DatagramChannel.open();
        spoofer.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        closeLater.add(spoofer);
        server.sourceListener = lastClient::set;
        server.responder = (req, raw, s) -> {
            byte[] spoof = s.reply(req, 0, 7200, new PcpPayload.Map(req.map().nonce(), req.map().protocol(),
                    req.map().internalPort(), 1111, s.externalAddress));
            try {
                spoofer.send(ByteBuffer.wrap(spoof), lastClient.get());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return List.of();
        };
        assertThatThrownBy(() -> mapper(Duration.ofMillis(600)).map(MappingRequest.of(Transport.UDP, 6002)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        assertThat(server.datagramsReceived()).as("retransmitted, the spoofed answers did not count").isGreaterThan(1);
    }

    @Test
    void answersWithTheWrongOpcodeAreIgnoredAndTheRightOneStillWins() throws Exception {
        server.responder = (req, raw, s) -> {
            // well-formed success answers from the server's own address, but to ANNOUNCE, and to PEER with our very
            // nonce, protocol and internal port: only the opcode tells them apart from the real answer
            PcpPayload.Map m = req.map();
            List<byte[]> out = new ArrayList<>();
            out.add(PcpCodec.encode(PcpMessage.response(2, PcpMessage.OPCODE_ANNOUNCE, 0, 0, s.epoch.get(), null,
                    List.of())));
            out.add(PcpCodec.encode(PcpMessage.response(2, PcpMessage.OPCODE_PEER, 0, 7200, s.epoch.get(),
                    new PcpPayload.Peer(m.nonce(), m.protocol(), Octets.zeros(5), m.internalPort(), 1111,
                            s.externalAddress, 443, s.externalAddress), List.of())));
            out.add(s.mapAnswer(req));
            return out;
        };
        PortMapping m = mapper().map(MappingRequest.of(Transport.UDP, 6003));
        assertThat(m.externalPort()).isEqualTo(6003);
        assertThat(server.datagramsReceived()).isEqualTo(1);
    }

    @Test
    void onlyWrongOpcodeAnswersTimeOutSayingWhy() throws Exception {
        server.responder = (req, raw, s) -> List.of(PcpCodec.encode(PcpMessage.response(2,
                PcpMessage.OPCODE_ANNOUNCE, 0, 0, s.epoch.get(), null, List.of())));
        assertTimesOutSaying(6004, "opcode");
    }

    @Test
    void floodOfTenThousandJunkDatagramsDoesNotStarveTheAnswer() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        server.responder = (req, raw, s) -> {
            List<byte[]> out = new ArrayList<>();
            if (seen.incrementAndGet() == 1) {
                byte[] wrongNonce = s.reply(req, 0, 7200, new PcpPayload.Map(Octets.zeros(12), req.map().protocol(),
                        req.map().internalPort(), 1111, s.externalAddress));
                for (int i = 0; i < 10_000; i++) {
                    out.add(i % 3 == 0 ? wrongNonce : i % 3 == 1 ? new byte[] {2, (byte) 0x81, 0} : new byte[1200]);
                }
            }
            out.add(s.mapAnswer(req));
            return out;
        };
        PortMapping m = mapper(Duration.ofSeconds(3)).map(MappingRequest.of(Transport.UDP, 7003));
        assertThat(m.externalPort()).isEqualTo(7003);
    }

    @Test
    void headerOnlyErrorWithoutOurNonceIsNotTrusted() throws Exception {
        server.responder = (req, raw, s) -> List.of(s.reply(req, 2, 0, null));
        assertTimesOutSaying(5000, "without our nonce");
    }

    @Test
    void headerOnlyMalformedRequestIsAccepted() throws Exception {
        server.responder = (req, raw, s) -> List.of(s.reply(req, 3, 0, null));
        assertThatThrownBy(() -> mapper().map(MappingRequest.of(Transport.UDP, 5000)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
                    assertThat(e.protocolCode()).hasValue(3);
                });
    }

    @Test
    void onlyMalformedAnswersGiveAProtocolError() throws Exception {
        server.responder = (req, raw, s) -> List.of(new byte[] {2, (byte) 0x81, 0, 0, 0, 0});
        assertThatThrownBy(() -> mapper(Duration.ofMillis(400)).map(MappingRequest.of(Transport.UDP, 5000)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }

    /** Asking for a UDP mapping of {@code port} times out, and the failure says which answers were ignored. */
    private void assertTimesOutSaying(int port, String why) {
        assertThatThrownBy(() -> mapper(Duration.ofMillis(400)).map(MappingRequest.of(Transport.UDP, port)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
                    assertThat(e.getMessage()).contains(why);
                });
    }
}
