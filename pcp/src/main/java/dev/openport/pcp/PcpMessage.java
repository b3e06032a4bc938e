package dev.openport.pcp;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One PCP message, request or response (RFC 6887 §7). Every octet of the wire form is represented, reserved
 * fields included, so {@code PcpCodec.encode(PcpCodec.decode(b))} gives back {@code b}.
 *
 * @param version       protocol version (2 for RFC 6887)
 * @param opcode        7-bit opcode (§7.1): 0 ANNOUNCE, 1 MAP, 2 PEER
 * @param response      the R bit
 * @param resultCode    responses only (§7.4); 0 in requests
 * @param lifetime      requested (request) or granted / error-valid-for (response) seconds, unsigned 32-bit
 * @param epoch         responses only: the server's epoch time (§8.5); 0 in requests
 * @param clientAddress requests only: the PCP client's address (IPv4-mapped for IPv4); {@code null} in
 *                      responses
 * @param reserved      the header's reserved octets: 2 in a request, 1 + 12 in a response
 * @param payload       the opcode-specific data, or {@code null} when there is none (ANNOUNCE; an error response
 *                      that carries only the header)
 * @param options       the options in wire order
 */
record PcpMessage(int version, int opcode, boolean response, int resultCode, long lifetime, long epoch,
        InetAddress clientAddress, Octets reserved, PcpPayload payload, List<PcpOption> options) {

    /** The version this module speaks, §7. */
    static final int VERSION = 2;
    /** ANNOUNCE, §14.1. */
    static final int OPCODE_ANNOUNCE = 0;
    /** MAP, §11. */
    static final int OPCODE_MAP = 1;
    /** PEER, §12. */
    static final int OPCODE_PEER = 2;
    /** The R bit in the second octet, §7.1/§7.2. */
    static final int RESPONSE_BIT = 0x80;

    PcpMessage {
        if (version < 0 || version > 255 || opcode < 0 || opcode > 127 || resultCode < 0 || resultCode > 255) {
            throw new IllegalArgumentException("version, opcode and result code must fit their fields");
        }
        if (lifetime < 0 || lifetime > 0xFFFF_FFFFL || epoch < 0 || epoch > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("lifetime and epoch are unsigned 32-bit");
        }
        Objects.requireNonNull(reserved, "reserved");
        if (response) {
            if (clientAddress != null || reserved.length() != 13) {
                throw new IllegalArgumentException("a response has no client address and 13 reserved octets");
            }
        } else if (clientAddress == null || reserved.length() != 2 || resultCode != 0 || epoch != 0) {
            throw new IllegalArgumentException("a request has a client address, 2 reserved octets, no result/epoch");
        }
        options = List.copyOf(options);
    }

    /** A request with zero reserved fields. */
    static PcpMessage request(int opcode, long lifetime, InetAddress clientAddress, PcpPayload payload,
            List<PcpOption> options) {
        return new PcpMessage(VERSION, opcode, false, 0, lifetime, 0, clientAddress, Octets.zeros(2), payload,
                options);
    }

    /** A response with zero reserved fields. */
    static PcpMessage response(int version, int opcode, int resultCode, long lifetime, long epoch,
            PcpPayload payload, List<PcpOption> options) {
        return new PcpMessage(version, opcode, true, resultCode, lifetime, epoch, null, Octets.zeros(13), payload,
                options);
    }

    /** The MAP payload, or {@code null}. */
    PcpPayload.Map map() {
        return payload instanceof PcpPayload.Map m ? m : null;
    }

    /** The first option with {@code code}, or {@code null}. */
    PcpOption option(int code) {
        for (PcpOption o : options) {
            if (o.code() == code) {
                return o;
            }
        }
        return null;
    }
}
