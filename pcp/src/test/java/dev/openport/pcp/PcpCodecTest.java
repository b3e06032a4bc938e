package dev.openport.pcp;

import static dev.openport.pcp.Fixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcpCodecTest {
    static final String CLIENT = "00000000000000000000ffffc6120002";      // ::ffff:198.18.0.2
    static final String UNSPEC4 = "00000000000000000000ffff00000000";     // ::ffff:0.0.0.0, §11.1
    static final String EXT = "00000000000000000000ffffcb007101";         // ::ffff:203.0.113.1
    static final String NONCE = "0102030405060708090a0b0c";
    static final String ZERO12 = "000000000000000000000000";

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static Octets nonce() {
        return Octets.fromHex(NONCE);
    }

    private static void assertRoundTrip(byte[] bytes) throws PcpFormatException {
        assertThat(PcpCodec.encode(PcpCodec.decode(bytes))).isEqualTo(bytes);
    }

    @Test
    void announceRequestBytes() throws Exception {
        PcpMessage m = PcpMessage.request(0, 0, ip("198.18.0.2"), null, List.of());
        byte[] expected = hex("02000000 00000000" + CLIENT);
        assertThat(PcpCodec.encode(m)).isEqualTo(expected);
        assertThat(PcpCodec.decode(expected)).isEqualTo(m);
    }

    @Test
    void announceResponseBytes() throws Exception {
        byte[] bytes = hex("02800000 00000000 12345678" + ZERO12);
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.response()).isTrue();
        assertThat(m.opcode()).isEqualTo(PcpMessage.OPCODE_ANNOUNCE);
        assertThat(m.epoch()).isEqualTo(0x12345678L);
        assertThat(m.payload()).isNull();
        assertThat(PcpCodec.encode(PcpMessage.response(2, 0, 0, 0, 0x12345678L, null, List.of()))).isEqualTo(bytes);
    }

    @Test
    void mapRequestBytesWithIpv4MappedClientAndUnspecifiedSuggestion() throws Exception {
        PcpMessage m = PcpMessage.request(1, 7200, ip("198.18.0.2"),
                new PcpPayload.Map(nonce(), 6, 25565, 25565, PcpAddresses.IPV4_UNSPECIFIED), List.of());
        byte[] expected = hex("02010000 00001c20" + CLIENT + NONCE + "06000000 63dd63dd" + UNSPEC4);
        assertThat(PcpCodec.encode(m)).isEqualTo(expected);
        assertThat(PcpCodec.decode(expected)).isEqualTo(m);
    }

    @Test
    void mapResponseBytes() throws Exception {
        byte[] bytes = hex("02810000 00001c20 000003e8" + ZERO12 + NONCE + "11000000 04d2a000" + EXT);
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.resultCode()).isZero();
        assertThat(m.lifetime()).isEqualTo(7200);
        assertThat(m.epoch()).isEqualTo(1000);
        PcpPayload.Map map = m.map();
        assertThat(map.nonce()).isEqualTo(nonce());
        assertThat(map.protocol()).isEqualTo(17);
        assertThat(map.internalPort()).isEqualTo(1234);
        assertThat(map.externalPort()).isEqualTo(0xa000);
        assertThat(map.externalAddress()).isEqualTo(ip("203.0.113.1"));
        assertThat(PcpCodec.encode(PcpMessage.response(2, 1, 0, 7200, 1000,
                new PcpPayload.Map(nonce(), 17, 1234, 0xa000, ip("203.0.113.1")), List.of()))).isEqualTo(bytes);
    }

    @Test
    void mapOverIpv6CarriesTheAddressAsIs() throws Exception {
        PcpMessage m = PcpMessage.request(1, 600, ip("2001:db8:1::2"),
                new PcpPayload.Map(nonce(), 17, 5001, 0, PcpAddresses.IPV6_UNSPECIFIED), List.of());
        byte[] expected = hex("02010000 00000258 20010db8000100000000000000000002" + NONCE + "11000000 13890000"
                + "00000000000000000000000000000000");
        assertThat(PcpCodec.encode(m)).isEqualTo(expected);
        assertThat(PcpCodec.decode(expected)).isEqualTo(m);
    }

    @Test
    void peerRequestAndResponseBytes() throws Exception {
        String peerTail = "11000000 04d20000" + UNSPEC4 + "0bb8 0000 00000000000000000000ffffcb007102";
        byte[] request = hex("02020000 00000078" + CLIENT + NONCE + peerTail);
        PcpMessage m = PcpCodec.decode(request);
        PcpPayload.Peer peer = (PcpPayload.Peer) m.payload();
        assertThat(peer.protocol()).isEqualTo(17);
        assertThat(peer.internalPort()).isEqualTo(1234);
        assertThat(peer.remotePort()).isEqualTo(3000);
        assertThat(peer.remoteAddress()).isEqualTo(ip("203.0.113.2"));
        assertThat(PcpCodec.encode(PcpMessage.request(2, 120, ip("198.18.0.2"), new PcpPayload.Peer(nonce(), 17,
                Octets.zeros(5), 1234, 0, PcpAddresses.IPV4_UNSPECIFIED, 3000, ip("203.0.113.2")), List.of())))
                .isEqualTo(request);
        byte[] response = hex("02820000 00000078 00000010" + ZERO12 + NONCE
                + "11000000 04d2d431" + EXT + "0bb8 0000 00000000000000000000ffffcb007102");
        PcpPayload.Peer answer = (PcpPayload.Peer) PcpCodec.decode(response).payload();
        assertThat(answer.externalPort()).isEqualTo(0xd431);
        assertRoundTrip(response);
    }

    @Test
    void thirdPartyOptionBytes() throws Exception {
        PcpOption o = PcpOption.thirdParty(ip("198.18.0.9"));
        byte[] bytes = hex("02010000 00001c20" + CLIENT + NONCE + "06000000 00500050" + UNSPEC4
                + "01000010 00000000000000000000ffffc6120009");
        PcpMessage m = PcpMessage.request(1, 7200, ip("198.18.0.2"),
                new PcpPayload.Map(nonce(), 6, 80, 80, PcpAddresses.IPV4_UNSPECIFIED), List.of(o));
        assertThat(PcpCodec.encode(m)).isEqualTo(bytes);
        assertThat(PcpCodec.decode(bytes).option(PcpOption.THIRD_PARTY).thirdPartyAddress())
                .isEqualTo(ip("198.18.0.9"));
    }

    @Test
    void preferFailureOptionBytes() throws Exception {
        byte[] bytes = hex("02010000 00001c20" + CLIENT + NONCE + "06000000 01bb01bb" + UNSPEC4 + "02000000");
        PcpMessage m = PcpMessage.request(1, 7200, ip("198.18.0.2"),
                new PcpPayload.Map(nonce(), 6, 443, 443, PcpAddresses.IPV4_UNSPECIFIED),
                List.of(PcpOption.preferFailure()));
        assertThat(PcpCodec.encode(m)).isEqualTo(bytes);
        assertThat(PcpCodec.decode(bytes).option(PcpOption.PREFER_FAILURE)).isNotNull();
    }

    @Test
    void filterOptionBytes() throws Exception {
        byte[] bytes = hex("02010000 00001c20" + CLIENT + NONCE + "06000000 01bb01bb" + UNSPEC4
                + "03000014 0080 0bb8 00000000000000000000ffffcb007102");
        PcpMessage m = PcpCodec.decode(bytes);
        PcpOption f = m.option(PcpOption.FILTER);
        assertThat(f.filterPrefixLength()).isEqualTo(128);
        assertThat(f.filterRemotePort()).isEqualTo(3000);
        assertThat(f.filterRemoteAddress()).isEqualTo(ip("203.0.113.2"));
        assertThat(PcpCodec.encode(PcpMessage.request(1, 7200, ip("198.18.0.2"),
                new PcpPayload.Map(nonce(), 6, 443, 443, PcpAddresses.IPV4_UNSPECIFIED),
                List.of(PcpOption.filter(128, 3000, ip("203.0.113.2")))))).isEqualTo(bytes);
    }

    @Test
    void unknownOptionalOptionIsCarriedAndSkipped() throws Exception {
        // code 0x80 is optional-to-process (§7.3): 3 octets of data plus 1 of padding
        byte[] bytes = hex("02810000 00001c20 000003e8" + ZERO12 + NONCE + "11000000 04d204d2" + EXT
                + "80000003 aabbcc00 02000000");
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.options()).hasSize(2);
        assertThat(m.options().get(0).code()).isEqualTo(0x80);
        assertThat(m.options().get(0).data()).isEqualTo(Octets.fromHex("aabbcc"));
        assertThat(m.option(PcpOption.PREFER_FAILURE)).isNotNull();
        assertRoundTrip(bytes);
    }

    @Test
    void unknownMandatoryOptionIsAnError() {
        byte[] bytes = hex("02810000 00001c20 000003e8" + ZERO12 + NONCE + "11000000 04d204d2" + EXT + "7f000000");
        assertThatThrownBy(() -> PcpCodec.decode(bytes)).isInstanceOf(PcpFormatException.class)
                .hasMessageContaining("mandatory")
                .satisfies(e -> assertThat(((PcpFormatException) e).resultCode()).isEqualTo(5));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "THIRD_PARTY too short, 0100000c 000000000000000000000000",
        "PREFER_FAILURE with data, 02000004 00000000",
        "FILTER too short, 03000010 00000000000000000000000000000000",
        "FILTER prefix over 128, 03000014 0081 0000 00000000000000000000ffff00000000",
        "option longer than the message, 80000008 00000000",
    })
    void malformedOptions(String name, String option) {
        byte[] bytes = hex("02810000 00001c20 000003e8" + ZERO12 + NONCE + "11000000 04d204d2" + EXT + option);
        assertThatThrownBy(() -> PcpCodec.decode(bytes)).isInstanceOf(PcpFormatException.class)
                .satisfies(e -> assertThat(((PcpFormatException) e).resultCode()).isEqualTo(6));
    }

    @Test
    void reservedFieldsAreIgnoredButKeptForTheRoundTrip() throws Exception {
        byte[] bytes = hex("0281ff00 00001c20 000003e8 ffffffffffffffffffffffff" + NONCE + "11ffffff 04d204d2" + EXT
                + "80ff0001 ffffffff");
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.map().internalPort()).isEqualTo(1234);
        assertRoundTrip(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "shorter than the header, 0281000000000000",
        "not a multiple of 4, 02810000000000000000000000000000000000000000000000",
        "MAP truncated, 02810000 00001c20 000003e8 000000000000000000000000 0102030405060708",
        "MAP request without payload, 02010000 00001c20 00000000000000000000ffffc6120002",
    })
    void malformedMessages(String name, String hex) {
        assertThatThrownBy(() -> PcpCodec.decode(hex(hex))).isInstanceOf(PcpFormatException.class);
    }

    @Test
    void longerThan1100OctetsIsRejected() {
        byte[] big = new byte[1104];
        big[0] = 2;
        big[1] = (byte) 0x80;
        assertThatThrownBy(() -> PcpCodec.decode(big)).isInstanceOf(PcpFormatException.class)
                .hasMessageContaining("1100");
        byte[] max = new byte[1100];
        max[0] = 2;
        max[1] = (byte) 0x80;
        // 1076 octets of optional options: 0x80 with 1072 octets of data
        max[24] = (byte) 0x80;
        max[26] = (byte) (1072 >> 8);
        max[27] = (byte) (1072 & 0xFF);
        assertThat(catchDecode(max)).isNull();
    }

    private static Exception catchDecode(byte[] b) {
        try {
            assertRoundTrip(b);
            return null;
        } catch (PcpFormatException e) {
            return e;
        }
    }

    @ParameterizedTest(name = "result {0} -> {1}")
    @CsvSource({
        "1, UNSUPPORTED", "2, NOT_AUTHORIZED", "3, PROTOCOL_ERROR", "4, UNSUPPORTED", "5, UNSUPPORTED",
        "6, PROTOCOL_ERROR", "7, NETWORK_FAILURE", "8, NO_RESOURCES", "9, UNSUPPORTED", "10, NO_RESOURCES",
        "11, CONFLICT", "12, NOT_AUTHORIZED", "13, NO_RESOURCES",
    })
    void everyErrorResultCodeDecodesAndMapsToAReason(int code, Reason reason) throws Exception {
        byte[] bytes = hex(String.format("028100%02x 0000001e 00000064", code) + ZERO12);
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.resultCode()).isEqualTo(code);
        assertThat(m.lifetime()).isEqualTo(30);
        assertThat(m.payload()).isNull();
        assertThat(PcpCodec.encode(PcpMessage.response(2, 1, code, 30, 100, null, List.of()))).isEqualTo(bytes);
        assertThat(PcpResultCode.reasonFor(code, true)).isEqualTo(reason);
        assertThat(PcpResultCode.describe(code)).contains(PcpResultCode.of(code).name());
    }

    @Test
    void cannotProvideExternalIsAConflictOnlyWhenAnExactPortWasAsked() {
        assertThat(PcpResultCode.reasonFor(11, true)).isEqualTo(Reason.CONFLICT);
        assertThat(PcpResultCode.reasonFor(11, false)).isEqualTo(Reason.NO_RESOURCES);
        assertThat(PcpResultCode.describe(12)).contains("behind another NAT");
        assertThat(PcpResultCode.reasonFor(200, false)).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(PcpResultCode.describe(200)).contains("unknown");
    }

    @Test
    void successResultCodeWithPayloadRoundTrips() throws Exception {
        byte[] bytes = hex("02810000 00000258 00000014" + ZERO12 + NONCE + "06000000 00160016" + EXT);
        assertThat(PcpCodec.decode(bytes).resultCode()).isZero();
        assertRoundTrip(bytes);
    }

    // --- real and published vectors ---

    @Test
    void tailscaleRealMapResponse() throws Exception {
        byte[] bytes = Fixtures.only("tailscale-real-map-response-udp-1234.hex");
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.lifetime()).isEqualTo(7200);
        assertThat(m.epoch()).isEqualTo(170989);
        assertThat(m.map().protocol()).isEqualTo(17);
        assertThat(m.map().internalPort()).isEqualTo(1234);
        assertThat(m.map().externalPort()).isEqualTo(1234);
        assertThat(m.map().externalAddress()).isEqualTo(ip("135.180.175.246"));
        assertThat(m.map().nonce()).isEqualTo(Octets.fromHex("81700918f1d0fb2d9d4c0abc"));
        assertRoundTrip(bytes);
    }

    @Test
    void amplifiDoubleNatMapResponseReportsAPrivateExternalAddress() throws Exception {
        byte[] bytes = Fixtures.only("amplifi-real-map-response-udp-25585-double-nat.hex");
        PcpMessage m = PcpCodec.decode(bytes);
        assertThat(m.lifetime()).isEqualTo(600);
        assertThat(m.epoch()).isEqualTo(322048);
        assertThat(m.map().internalPort()).isEqualTo(25585);
        assertThat(m.map().externalAddress()).isEqualTo(ip("192.168.178.2"));
        assertThat(m.map().externalAddress().isSiteLocalAddress()).isTrue();
        assertRoundTrip(bytes);
    }

    @Test
    void crabNatHeaders() throws Exception {
        Map<String, byte[]> all = Fixtures.messages("crab-nat-synthetic-header-responses.hex");
        int errors = 0;
        for (Map.Entry<String, byte[]> e : all.entrySet()) {
            String name = e.getKey();
            byte[] b = e.getValue();
            if (name.startsWith("MAP success header")) {
                // a success MAP answer must carry the MAP payload
                assertThat(catchDecode(b)).as(name).isInstanceOf(PcpFormatException.class);
            } else if (name.startsWith("MAP ")) {
                PcpMessage m = PcpCodec.decode(b);
                assertThat(m.resultCode()).as(name).isNotZero();
                assertThat(m.epoch()).as(name).isEqualTo(100);
                assertRoundTrip(b);
                errors++;
            } else if (name.startsWith("R bit not set")) {
                // read as a MAP *request*, which must carry the MAP payload: never taken for an answer
                assertThat(catchDecode(b)).as(name).isInstanceOf(PcpFormatException.class);
            } else if (name.startsWith("PEER response")) {
                assertThat(catchDecode(b)).as(name).isInstanceOf(PcpFormatException.class);
            } else if (name.startsWith("unknown version") || name.startsWith("version 0")) {
                PcpMessage m = PcpCodec.decode(b);
                assertThat(m.version()).isNotEqualTo(2);
                assertThat(m.payload()).isInstanceOf(PcpPayload.Raw.class);
                assertRoundTrip(b);
            } else {
                // the 4-octet NAT-PMP reply, 16 and 27 octets: not PCP messages
                assertThat(catchDecode(b)).as(name).isInstanceOf(PcpFormatException.class);
            }
        }
        assertThat(errors).isEqualTo(7);
    }

    @Test
    void libpcpVersion3RequestDecodesHeaderOnly() throws Exception {
        Map<String, byte[]> all = Fixtures.messages("libpcp-server-test-requests.hex");
        byte[] v3 = all.values().iterator().next();
        PcpMessage m = PcpCodec.decode(v3);
        assertThat(m.version()).isEqualTo(3);
        assertThat(m.lifetime()).isEqualTo(901);
        assertThat(m.clientAddress()).isEqualTo(ip("127.0.0.1"));
        assertThat(m.payload()).isInstanceOf(PcpPayload.Raw.class);
        assertRoundTrip(v3);
        byte[] runt = all.values().stream().skip(1).findFirst().orElseThrow();
        assertThat(catchDecode(runt)).isInstanceOf(PcpFormatException.class);
    }

    @Test
    void encodeRefusesWhatCannotBeDecodedBack() throws Exception {
        assertThatThrownBy(() -> PcpCodec.encode(PcpMessage.request(1, 1, ip("198.18.0.2"), null, List.of())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PcpCodec.encode(PcpMessage.request(0, 1, ip("198.18.0.2"),
                new PcpPayload.Raw(Octets.of(new byte[4])), List.of()))).isInstanceOf(IllegalArgumentException.class);
    }
}
