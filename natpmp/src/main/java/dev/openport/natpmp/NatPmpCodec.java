package dev.openport.natpmp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * NAT-PMP wire format (RFC 6886): requests and responses to and from bytes. No I/O. Decoding is strict
 * (exact length per opcode, version 0, response bit) because the LAN is not trusted; every malformed input
 * fails with {@link PortMappingException} and nothing else.
 *
 * <p>All multi-byte fields are big-endian ("network byte order", RFC 6886 §3).
 */
final class NatPmpCodec {
    /** The only NAT-PMP version (RFC 6886 §3). */
    static final int VERSION = 0;
    /** PCP's version (RFC 6887 §7): a server answering with it speaks PCP, not NAT-PMP (RFC 6887 §9). */
    static final int PCP_VERSION = 2;
    /** PCP's common response header size (RFC 6887 §7.2). */
    static final int PCP_HEADER_SIZE = 24;
    /** PCP result code UNSUPP_VERSION (RFC 6887 §7.4). */
    static final int PCP_UNSUPP_VERSION = 1;
    /** Opcode of the external-address request (RFC 6886 §3.2). */
    static final int OP_EXTERNAL_ADDRESS = 0;
    /** Opcode of a UDP map request (RFC 6886 §3.3). */
    static final int OP_MAP_UDP = 1;
    /** Opcode of a TCP map request (RFC 6886 §3.3). */
    static final int OP_MAP_TCP = 2;
    /** Responses carry the request opcode plus 128 (RFC 6886 §3.2, §3.3). */
    static final int RESPONSE_BIT = 0x80;

    /** External-address request size: version + opcode (RFC 6886 §3.2). */
    static final int EXTERNAL_ADDRESS_REQUEST_SIZE = 2;
    /** Map request size (RFC 6886 §3.3). */
    static final int MAP_REQUEST_SIZE = 12;
    /** External-address response size (RFC 6886 §3.2). */
    static final int EXTERNAL_ADDRESS_RESPONSE_SIZE = 12;
    /** Map response size (RFC 6886 §3.3). */
    static final int MAP_RESPONSE_SIZE = 16;
    /** Error response without body: version, opcode, result code, epoch (RFC 6886 §3.5, erratum 3618). */
    static final int ERROR_HEADER_SIZE = 8;
    /** The largest NAT-PMP message. */
    static final int MAX_MESSAGE_SIZE = MAP_RESPONSE_SIZE;

    /** Result code: success (RFC 6886 §3.5). */
    static final int RESULT_SUCCESS = 0;
    /** Result code: unsupported version (RFC 6886 §3.5). */
    static final int RESULT_UNSUPPORTED_VERSION = 1;
    /** Result code: not authorized/refused, e.g. NAT-PMP switched off by the user (RFC 6886 §3.5). */
    static final int RESULT_NOT_AUTHORIZED = 2;
    /** Result code: network failure, e.g. no DHCP lease on the WAN side yet (RFC 6886 §3.5). */
    static final int RESULT_NETWORK_FAILURE = 3;
    /** Result code: out of resources, cannot create more mappings (RFC 6886 §3.5). */
    static final int RESULT_OUT_OF_RESOURCES = 4;
    /** Result code: unsupported opcode (RFC 6886 §3.5). */
    static final int RESULT_UNSUPPORTED_OPCODE = 5;

    private NatPmpCodec() {
    }

    /** Opcode 1 for UDP, 2 for TCP (RFC 6886 §3.3). */
    static int opcodeFor(Transport transport) {
        return transport == Transport.UDP ? OP_MAP_UDP : OP_MAP_TCP;
    }

    // ---- requests --------------------------------------------------------------------------------------

    /** Encodes a request (RFC 6886 §3.2, §3.3); the reserved field is zero as §3.3 requires. */
    static byte[] encode(NatPmpRequest request) {
        if (request instanceof NatPmpRequest.Map m) {
            ByteBuffer b = ByteBuffer.allocate(MAP_REQUEST_SIZE);
            b.put((byte) VERSION).put((byte) m.opcode()).putShort((short) 0)
                    .putShort((short) m.internalPort()).putShort((short) m.suggestedExternalPort())
                    .putInt((int) m.lifetimeSeconds());
            return b.array();
        }
        return new byte[] {VERSION, OP_EXTERNAL_ADDRESS};
    }

    /**
     * Decodes a request (what a gateway receives; our fake gateways use it). Strict: exact size, version 0,
     * reserved field zero, internal port 0 only for delete-all.
     */
    static NatPmpRequest decodeRequest(byte[] data, int length) throws PortMappingException {
        checkBounds(data, length);
        if (length < 2) {
            throw malformed("request of " + length + " bytes is shorter than the 2-byte header");
        }
        if (u8(data, 0) != VERSION) {
            throw malformed("request version " + u8(data, 0) + ", expected 0");
        }
        int op = u8(data, 1);
        switch (op) {
            case OP_EXTERNAL_ADDRESS -> {
                expectSize(length, EXTERNAL_ADDRESS_REQUEST_SIZE, op);
                return new NatPmpRequest.ExternalAddress();
            }
            case OP_MAP_UDP, OP_MAP_TCP -> {
                expectSize(length, MAP_REQUEST_SIZE, op);
                if (u16(data, 2) != 0) {
                    throw malformed("reserved field of a map request is " + u16(data, 2) + ", expected 0");
                }
                int internal = u16(data, 4);
                long lifetime = u32(data, 8);
                if (internal == 0 && lifetime != 0) {
                    throw malformed("internal port 0 with lifetime " + lifetime + " (only delete-all uses port 0)");
                }
                return new NatPmpRequest.Map(op == OP_MAP_UDP ? Transport.UDP : Transport.TCP, internal,
                        u16(data, 6), lifetime);
            }
            default -> throw malformed("unknown request opcode " + op);
        }
    }

    // ---- responses -------------------------------------------------------------------------------------

    /** Encodes a response exactly as a gateway sends it (fake gateways and round-trip tests use it). */
    static byte[] encode(NatPmpResponse response) {
        if (response instanceof NatPmpResponse.ExternalAddress a) {
            ByteBuffer b = header(EXTERNAL_ADDRESS_RESPONSE_SIZE, a);
            b.put(a.address().getAddress());
            return b.array();
        }
        if (response instanceof NatPmpResponse.Map m) {
            ByteBuffer b = header(MAP_RESPONSE_SIZE, m);
            b.putShort((short) m.internalPort()).putShort((short) m.externalPort()).putInt((int) m.lifetimeSeconds());
            return b.array();
        }
        return header(ERROR_HEADER_SIZE, response).array();
    }

    private static ByteBuffer header(int size, NatPmpResponse r) {
        return ByteBuffer.allocate(size).put((byte) VERSION).put((byte) r.opcode()).putShort((short) r.resultCode())
                .putInt((int) r.epoch());
    }

    /**
     * Decodes a response. Accepts exactly: 12 bytes for opcode 128, 16 bytes for 129/130 (RFC 6886 §3.2, §3.3),
     * or the 8-byte header alone when the result code is non-zero (RFC 6886 §3.5). A non-zero result code is
     * returned, not thrown: see {@link #check}.
     *
     * @throws PortMappingException {@code UNSUPPORTED} when the answer is a PCP (version 2) header, i.e. the
     *                              server speaks only PCP; {@code PROTOCOL_ERROR} for anything else malformed
     */
    static NatPmpResponse decodeResponse(byte[] data, int length) throws PortMappingException {
        checkBounds(data, length);
        if (isPcpUnsupportedVersion(data, length)) {
            // RFC 6887 §9: a PCP-only server answers a version-0 request with a PCP UNSUPP_VERSION header
            throw new PortMappingException(Reason.UNSUPPORTED,
                    "the gateway answered in PCP (version 2, UNSUPP_VERSION): it does not speak NAT-PMP",
                    MappingProtocol.NAT_PMP, null, PCP_UNSUPP_VERSION, null);
        }
        if (length < ERROR_HEADER_SIZE) {
            throw malformed("response of " + length + " bytes is shorter than the 8-byte header");
        }
        if (u8(data, 0) != VERSION) {
            throw malformed("response version " + u8(data, 0) + ", expected 0");
        }
        int op = u8(data, 1);
        if ((op & RESPONSE_BIT) == 0) {
            throw malformed("opcode " + op + " has no response bit (128)");
        }
        int request = op & ~RESPONSE_BIT;
        if (request != OP_EXTERNAL_ADDRESS && request != OP_MAP_UDP && request != OP_MAP_TCP) {
            throw malformed("unknown response opcode " + op);
        }
        int result = u16(data, 2);
        long epoch = u32(data, 4);
        if (length == ERROR_HEADER_SIZE && result != RESULT_SUCCESS) {
            return new NatPmpResponse.ErrorHeader(op, result, epoch);
        }
        if (request == OP_EXTERNAL_ADDRESS) {
            expectSize(length, EXTERNAL_ADDRESS_RESPONSE_SIZE, op);
            return new NatPmpResponse.ExternalAddress(result, epoch, ipv4(data, 8));
        }
        expectSize(length, MAP_RESPONSE_SIZE, op);
        return new NatPmpResponse.Map(request == OP_MAP_UDP ? Transport.UDP : Transport.TCP, result, epoch,
                u16(data, 8), u16(data, 10), u32(data, 12));
    }

    /**
     * Whether {@code data} is a well-formed PCP response header carrying UNSUPP_VERSION (RFC 6887 §7.2, §7.4):
     * version 2, response bit, result 1, at least 24 bytes, a multiple of 4. Only that counts as "this gateway
     * speaks PCP, not NAT-PMP"; any other version-2 datagram is malformed (so random junk cannot end a request).
     */
    static boolean isPcpUnsupportedVersion(byte[] data, int length) {
        return data != null && length >= PCP_HEADER_SIZE && length <= data.length && length % 4 == 0
                && u8(data, 0) == PCP_VERSION && (u8(data, 1) & RESPONSE_BIT) != 0
                && u8(data, 3) == PCP_UNSUPP_VERSION;
    }

    /**
     * Throws the exception a non-zero result code stands for (RFC 6886 §3.5); does nothing on success.
     *
     * @param gateway named in the exception, may be {@code null}
     */
    static void check(NatPmpResponse response, InetAddress gateway) throws PortMappingException {
        int code = response.resultCode();
        if (code == RESULT_SUCCESS) {
            return;
        }
        throw new PortMappingException(reasonFor(code), "the gateway refused: " + describe(code),
                MappingProtocol.NAT_PMP, gateway, code, null);
    }

    /** The core reason for a non-zero result code (RFC 6886 §3.5); unknown codes are protocol errors. */
    static Reason reasonFor(int resultCode) {
        return switch (resultCode) {
            case RESULT_UNSUPPORTED_VERSION, RESULT_UNSUPPORTED_OPCODE -> Reason.UNSUPPORTED;
            case RESULT_NOT_AUTHORIZED -> Reason.NOT_AUTHORIZED;
            case RESULT_NETWORK_FAILURE -> Reason.NETWORK_FAILURE;
            case RESULT_OUT_OF_RESOURCES -> Reason.NO_RESOURCES;
            default -> Reason.PROTOCOL_ERROR;
        };
    }

    /** The RFC 6886 §3.5 name of a result code. */
    static String describe(int resultCode) {
        return switch (resultCode) {
            case RESULT_SUCCESS -> "success";
            case RESULT_UNSUPPORTED_VERSION -> "unsupported version";
            case RESULT_NOT_AUTHORIZED -> "not authorized/refused";
            case RESULT_NETWORK_FAILURE -> "network failure";
            case RESULT_OUT_OF_RESOURCES -> "out of resources";
            case RESULT_UNSUPPORTED_OPCODE -> "unsupported opcode";
            default -> "undefined result code " + resultCode;
        };
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static void checkBounds(byte[] data, int length) throws PortMappingException {
        if (data == null || length < 0 || length > data.length) {
            throw malformed("no datagram (length " + length + ")");
        }
    }

    private static void expectSize(int length, int expected, int op) throws PortMappingException {
        if (length != expected) {
            throw malformed("opcode " + op + " message of " + length + " bytes, expected " + expected);
        }
    }

    private static PortMappingException malformed(String message) {
        return new PortMappingException(Reason.PROTOCOL_ERROR, "malformed NAT-PMP message: " + message,
                MappingProtocol.NAT_PMP, null, null, null);
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i) {
        return ((long) u16(b, i) << 16) | u16(b, i + 2);
    }

    private static Inet4Address ipv4(byte[] b, int i) {
        byte[] a = {b[i], b[i + 1], b[i + 2], b[i + 3]};
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }
}
