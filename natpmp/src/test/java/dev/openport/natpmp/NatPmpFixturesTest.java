package dev.openport.natpmp;

import static dev.openport.natpmp.FakeNatPmpGateway.ipv4;
import static dev.openport.natpmp.Hex.fixture;
import static dev.openport.natpmp.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Real gateway answers (and a few author-built edge cases) from other projects' test suites. */
class NatPmpFixturesTest {
    private static final String SESSION = "jackpal-recorded-gateway-session.hex";

    @Test
    void ourRequestsAreByteIdenticalToARealClientsRecordedSession() {
        assertThat(hex(NatPmpCodec.encode(new NatPmpRequest.ExternalAddress())))
                .isEqualTo(hex(fixture(SESSION, "external address request (client->gateway)")));
        assertThat(NatPmpCodec.encode(new NatPmpRequest.Map(Transport.UDP, 123, 456, 1200)))
                .isEqualTo(fixture(SESSION, "UDP map request: internal 123, suggested external 456, lifetime 1200"));
        assertThat(NatPmpCodec.encode(new NatPmpRequest.Map(Transport.TCP, 123, 456, 1200)))
                .isEqualTo(fixture(SESSION, "TCP map request: internal 123, suggested external 456, lifetime 1200"));
        assertThat(NatPmpCodec.encode(NatPmpRequest.Map.delete(Transport.UDP, 123)))
                .isEqualTo(fixture(SESSION, "UDP delete request: internal 123, external 0, lifetime 0"));
        assertThat(NatPmpCodec.encode(NatPmpRequest.Map.delete(Transport.TCP, 123)))
                .isEqualTo(fixture(SESSION, "TCP delete request: internal 123, external 0, lifetime 0"));
    }

    @Test
    void recordedGatewayAnswersDecode() throws PortMappingException {
        assertThat(decode(fixture(SESSION, "external address response: epoch 1307215, 73.140.54.154")))
                .isEqualTo(new NatPmpResponse.ExternalAddress(0, 1307215, ipv4("73.140.54.154")));
        assertThat(decode(fixture(SESSION, "UDP map response: epoch 1310463, 123->456, lifetime 1200")))
                .isEqualTo(new NatPmpResponse.Map(Transport.UDP, 0, 1310463, 123, 456, 1200));
        assertThat(decode(fixture(SESSION, "TCP map response: epoch 1311521, 123->456, lifetime 1200")))
                .isEqualTo(new NatPmpResponse.Map(Transport.TCP, 0, 1311521, 123, 456, 1200));
        assertThat(decode(fixture(SESSION, "UDP delete response: epoch 1311701, internal 123, external 0, lifetime 0")))
                .isEqualTo(new NatPmpResponse.Map(Transport.UDP, 0, 1311701, 123, 0, 0));
        assertThat(decode(fixture(SESSION, "TCP delete response: epoch 1311894, internal 123, external 0, lifetime 0")))
                .isEqualTo(new NatPmpResponse.Map(Transport.TCP, 0, 1311894, 123, 0, 0));
    }

    @Test
    void recordedSessionEpochNeverLooksLikeAReboot() throws PortMappingException {
        // the session's epoch rises monotonically: fed in order, the tracker must not cry "state lost"
        EpochTracker tracker = new EpochTracker();
        long t = 0;
        for (Hex.Vector v : fixture(SESSION)) {
            if (v.name().contains("response")) {
                assertThat(tracker.observe(decode(v.bytes()).epoch(), t)).isEmpty();
                t += 1_000_000_000L;
            }
        }
    }

    @Test
    void amplifiBehindFritzBoxReportsAPrivateExternalAddress() throws PortMappingException {
        // double NAT: the NAT-PMP gateway's "external" address is itself private
        NatPmpResponse r = decode(fixture("amplifi-real-double-nat-responses.hex",
                "external address response: epoch 325535, 192.168.178.2"));
        assertThat(r).isEqualTo(new NatPmpResponse.ExternalAddress(0, 325535, ipv4("192.168.178.2")));
        assertThat(((NatPmpResponse.ExternalAddress) r).address().isSiteLocalAddress()).isTrue();
        assertThat(decode(fixture("amplifi-real-double-nat-responses.hex",
                "UDP map response: epoch 326079, internal 25585, external 25585, lifetime 600")))
                .isEqualTo(new NatPmpResponse.Map(Transport.UDP, 0, 326079, 25585, 25585, 600));
    }

    @Test
    void portsAndLifetimesAboveSignedRangeAreUnsigned() throws PortMappingException {
        String file = "mono-nat-synthetic-port-and-lifetime-edges.hex";
        assertThat(decode(fixture(file, "TCP map response 65500->65501 lifetime 66")))
                .isEqualTo(new NatPmpResponse.Map(Transport.TCP, 0, 1, 65500, 65501, 66));
        assertThat(decode(fixture(file, "UDP map response 65500->65501 lifetime 66")))
                .isEqualTo(new NatPmpResponse.Map(Transport.UDP, 0, 1, 65500, 65501, 66));
        assertThat(decode(fixture(file, "TCP map response 55->56 lifetime 2147483647")))
                .isEqualTo(new NatPmpResponse.Map(Transport.TCP, 0, 1, 55, 56, 2147483647L));
        assertThatThrownBy(() -> decode(fixture(file, "invalid opcode 123 (0x7b): must be rejected")))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }

    static Stream<Hex.Vector> malformed() {
        return fixture("jackpal-malformed-responses.hex").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void jackpalMalformedAnswersAreRejected(Hex.Vector v) {
        // each must be a typed PROTOCOL_ERROR: in decoding, or (undefined result 17) when its result is checked
        assertThatThrownBy(() -> NatPmpCodec.check(decode(v.bytes()), null))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }

    @Test
    void undefinedResultCode17IsKeptInTheException() {
        byte[] b = fixture("jackpal-malformed-responses.hex", "result code 17 (not defined by RFC 6886)");
        assertThatThrownBy(() -> NatPmpCodec.check(decode(b), null)).isInstanceOfSatisfying(
                PortMappingException.class, e -> assertThat(e.protocolCode()).hasValue(17));
    }

    @Test
    void everyWellFormedFixtureRoundTrips() throws PortMappingException {
        for (String file : List.of(SESSION, "amplifi-real-double-nat-responses.hex",
                "mono-nat-synthetic-port-and-lifetime-edges.hex")) {
            for (Hex.Vector v : fixture(file)) {
                if (v.name().contains("request")) {
                    assertThat(NatPmpCodec.encode(NatPmpCodec.decodeRequest(v.bytes(), v.bytes().length)))
                            .as(v.name()).isEqualTo(v.bytes());
                } else if (!v.name().contains("invalid")) {
                    assertThat(NatPmpCodec.encode(decode(v.bytes()))).as(v.name()).isEqualTo(v.bytes());
                }
            }
        }
    }

    private static NatPmpResponse decode(byte[] b) throws PortMappingException {
        return NatPmpCodec.decodeResponse(b, b.length);
    }
}
