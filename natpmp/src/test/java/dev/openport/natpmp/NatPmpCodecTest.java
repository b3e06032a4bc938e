package dev.openport.natpmp;

import static dev.openport.natpmp.FakeNatPmpGateway.ipv4;
import static dev.openport.natpmp.Hex.bytes;
import static dev.openport.natpmp.Hex.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NatPmpCodecTest {

    // ---- requests: byte-exact -------------------------------------------------------------------------

    @Test
    void externalAddressRequestIsVersionAndOpcodeZero() {
        assertThat(hex(NatPmpCodec.encode(new NatPmpRequest.ExternalAddress()))).isEqualTo("0000");
    }

    @Test
    void udpMapRequest() {
        // version 0, op 1, reserved 0, internal 25565, suggested 25566, lifetime 7200
        assertThat(hex(NatPmpCodec.encode(new NatPmpRequest.Map(Transport.UDP, 25565, 25566, 7200))))
                .isEqualTo("00010000" + "63dd" + "63de" + "00001c20");
    }

    @Test
    void tcpMapRequestWithUnsignedEdges() {
        assertThat(hex(NatPmpCodec.encode(new NatPmpRequest.Map(Transport.TCP, 65535, 65500, 0xFFFF_FFFFL))))
                .isEqualTo("00020000" + "ffff" + "ffdc" + "ffffffff");
    }

    @Test
    void deleteIsLifetimeZeroAndSuggestedPortZero() {
        assertThat(hex(NatPmpCodec.encode(NatPmpRequest.Map.delete(Transport.TCP, 123))))
                .isEqualTo("00020000007b000000000000");
    }

    @Test
    void deleteAllIsInternalPortZeroAndLifetimeZero() {
        assertThat(hex(NatPmpCodec.encode(NatPmpRequest.Map.deleteAll(Transport.UDP))))
                .isEqualTo("000100000000000000000000");
    }

    @Test
    void internalPortZeroIsOnlyValidForDeleteAll() {
        assertThatThrownBy(() -> new NatPmpRequest.Map(Transport.UDP, 0, 0, 60))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatPmpRequest.Map.delete(Transport.UDP, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000", "00010000007b01c8000004b0", "00020000ffff0000ffffffff", "000100000000000000000000"})
    void requestsRoundTrip(String hex) throws PortMappingException {
        byte[] b = bytes(hex);
        assertThat(hex(NatPmpCodec.encode(NatPmpCodec.decodeRequest(b, b.length)))).isEqualTo(hex);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "00", "0100", "0003", "000000", "00010000007b01c8000004", "00010001007b01c8000004b0",
            "000100000000000000000001", "0081"})
    void malformedRequestsAreRejected(String hex) {
        byte[] b = bytes(hex);
        assertProtocolError(() -> NatPmpCodec.decodeRequest(b, b.length));
    }

    // ---- responses ------------------------------------------------------------------------------------

    @Test
    void externalAddressResponse() throws PortMappingException {
        byte[] b = bytes("0080 0000 0004f79f c0a8b202");
        NatPmpResponse r = NatPmpCodec.decodeResponse(b, b.length);
        assertThat(r).isEqualTo(new NatPmpResponse.ExternalAddress(0, 325535, ipv4("192.168.178.2")));
        assertThat(r.opcode()).isEqualTo(128);
    }

    @Test
    void udpAndTcpMapResponses() throws PortMappingException {
        byte[] udp = bytes("0081 0000 00000001 ffdc ffdd ffffffff");
        byte[] tcp = bytes("0082 0000 ffffffff 0037 0038 0000007b");
        assertThat(NatPmpCodec.decodeResponse(udp, udp.length))
                .isEqualTo(new NatPmpResponse.Map(Transport.UDP, 0, 1, 65500, 65501, 0xFFFF_FFFFL));
        assertThat(NatPmpCodec.decodeResponse(tcp, tcp.length))
                .isEqualTo(new NatPmpResponse.Map(Transport.TCP, 0, 0xFFFF_FFFFL, 55, 56, 123));
    }

    @ParameterizedTest(name = "result {0} -> {1}")
    @CsvSource({"1, UNSUPPORTED", "2, NOT_AUTHORIZED", "3, NETWORK_FAILURE", "4, NO_RESOURCES", "5, UNSUPPORTED",
            "6, PROTOCOL_ERROR", "17, PROTOCOL_ERROR", "65535, PROTOCOL_ERROR"})
    void everyErrorResultCodeIsMappedAndKept(int code, Reason reason) throws PortMappingException {
        byte[] b = NatPmpCodec.encode(new NatPmpResponse.Map(Transport.TCP, code, 77, 123, 0, 0));
        assertThat(hex(b)).isEqualTo("0082" + String.format("%04x", code) + "0000004d007b000000000000");
        NatPmpResponse r = NatPmpCodec.decodeResponse(b, b.length);
        assertThat(r.resultCode()).isEqualTo(code);
        assertThatThrownBy(() -> NatPmpCodec.check(r, ipv4("192.168.1.1")))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.protocolCode()).hasValue(code);
                    assertThat(e.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
                    assertThat(e.getMessage()).contains("192.168.1.1").contains("code " + code);
                });
    }

    @Test
    void resultCodeZeroIsSuccess() throws PortMappingException {
        byte[] b = bytes("0081 0000 00000010 0050 0051 00000e10");
        NatPmpResponse r = NatPmpCodec.decodeResponse(b, b.length);
        assertThat(r.resultCode()).isZero();
        assertThatCode(() -> NatPmpCodec.check(r, null)).doesNotThrowAnyException();
    }

    @Test
    void eightByteErrorHeaderOfErratum3618() throws PortMappingException {
        // "unsupported version": version 0, opcode 128, result 1, epoch — no body (RFC 6886 §3.5, erratum 3618)
        byte[] b = bytes("0080 0001 00000005");
        NatPmpResponse r = NatPmpCodec.decodeResponse(b, b.length);
        assertThat(r).isEqualTo(new NatPmpResponse.ErrorHeader(128, 1, 5));
        assertThat(hex(NatPmpCodec.encode(r))).isEqualTo("0080000100000005");
        assertThatThrownBy(() -> NatPmpCodec.check(r, null)).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void eightByteHeaderWithSuccessIsTruncated() {
        byte[] b = bytes("0080 0000 00000005");
        assertProtocolError(() -> NatPmpCodec.decodeResponse(b, b.length));
    }

    @Test
    void pcpVersionAnswerMeansUnsupported() {
        // what a PCP-only server sends back to a NAT-PMP request: PCP header, version 2, result 1 UNSUPP_VERSION
        byte[] b = bytes("02800001 00000000 00000007 000000000000000000000000");
        assertThatThrownBy(() -> NatPmpCodec.decodeResponse(b, b.length))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.protocolCode()).hasValue(1);
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                                      // empty
        "00", "0080", "008000",                  // shorter than the header
        "0080000000000001c0a8b2",                // 11 bytes for op 128
        "0080000000000001c0a8b20200",            // 13 bytes for op 128
        "0081000000000001007b01c8000004",        // 15 bytes for op 129
        "0082000000000001007b01c8000004b000",    // 17 bytes for op 130
        "0081000000000001c0a8b202",              // 12 bytes for a map response
        "0080000000000001007b01c8000004b0",      // 16 bytes for an address response
        "0000000000000001c0a8b202",              // request opcode 0: no response bit
        "0083000000000001007b01c8000004b0",      // unknown opcode 131
        "00ff000000000001007b01c8000004b0",      // unknown opcode 255
        "0180000000000001c0a8b202",              // version 1
        "ff80000000000001c0a8b202",              // version 255
        "0281000100000000007b01c8000004b0",      // version 2, UNSUPP_VERSION, but 16 bytes: no PCP header
        "028100000000000000000007000000000000000000000000", // PCP success header: not an answer to us
        "020100010000000000000007000000000000000000000000", // PCP UNSUPP_VERSION without the R bit
        "02810001000000000000000700000000000000000000000000" // PCP UNSUPP_VERSION, 25 bytes: not a multiple of 4
    })
    void malformedResponsesAreProtocolErrors(String hex) {
        byte[] b = bytes(hex);
        assertProtocolError(() -> NatPmpCodec.decodeResponse(b, b.length));
    }

    @Test
    void lengthBeyondTheArrayIsRejectedNotThrownAsIndexError() {
        byte[] b = bytes("0080000000000001c0a8b202");
        assertProtocolError(() -> NatPmpCodec.decodeResponse(b, 13));
        assertProtocolError(() -> NatPmpCodec.decodeResponse(b, -1));
        assertProtocolError(() -> NatPmpCodec.decodeResponse(null, 0));
    }

    @Test
    void decodesOnlyTheGivenLengthOfALargerBuffer() throws PortMappingException {
        byte[] buffer = new byte[1100];
        System.arraycopy(bytes("0080000000000001c0a8b202"), 0, buffer, 0, 12);
        assertThat(NatPmpCodec.decodeResponse(buffer, 12))
                .isEqualTo(new NatPmpResponse.ExternalAddress(0, 1, ipv4("192.168.178.2")));
        assertProtocolError(() -> NatPmpCodec.decodeResponse(buffer, 1100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0080000000000001c0a8b202", "008000030000000100000000", "0081000000000001ffdcffdd00000042",
            "0082000400000002007b000000000000", "0081000500000002", "0082ffff00000002"})
    void responsesRoundTrip(String hex) throws PortMappingException {
        byte[] b = bytes(hex);
        assertThat(hex(NatPmpCodec.encode(NatPmpCodec.decodeResponse(b, b.length)))).isEqualTo(hex);
    }

    private static void assertProtocolError(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }
}
