package dev.openport.natpmp;

import dev.openport.core.Transport;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * A NAT-PMP response from the gateway (RFC 6886 §3.2, §3.3, §3.5). Decoded as sent: a non-zero result code is
 * kept here and turned into an exception by {@link NatPmpCodec#check}, so a client can first decide whether the
 * answer is for it at all.
 */
sealed interface NatPmpResponse
        permits NatPmpResponse.ExternalAddress, NatPmpResponse.Map, NatPmpResponse.ErrorHeader {

    /** The response opcode (request opcode + 128). */
    int opcode();

    /** The result code, 0 = success (RFC 6886 §3.5). */
    int resultCode();

    /** Seconds since start of epoch, unsigned 32 bits (RFC 6886 §3.6). */
    long epoch();

    /**
     * Answer to an external-address request, or an unsolicited address announcement (RFC 6886 §3.2, §3.2.1).
     * The address is undefined (and should be 0.0.0.0) when the result code is non-zero.
     */
    record ExternalAddress(int resultCode, long epoch, Inet4Address address) implements NatPmpResponse {
        public ExternalAddress {
            NatPmpResponse.checkHeader(resultCode, epoch);
            Objects.requireNonNull(address, "address");
        }

        @Override
        public int opcode() {
            return NatPmpCodec.OP_EXTERNAL_ADDRESS | NatPmpCodec.RESPONSE_BIT;
        }
    }

    /** Answer to a map or delete request (RFC 6886 §3.3). */
    record Map(Transport transport, int resultCode, long epoch, int internalPort, int externalPort,
            long lifetimeSeconds) implements NatPmpResponse {
        public Map {
            Objects.requireNonNull(transport, "transport");
            NatPmpResponse.checkHeader(resultCode, epoch);
            if (internalPort < 0 || internalPort > 0xFFFF || externalPort < 0 || externalPort > 0xFFFF) {
                throw new IllegalArgumentException("ports must be 0-65535");
            }
            if (lifetimeSeconds < 0 || lifetimeSeconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("lifetime must fit in 32 unsigned bits");
            }
        }

        @Override
        public int opcode() {
            return NatPmpCodec.opcodeFor(transport) | NatPmpCodec.RESPONSE_BIT;
        }
    }

    /**
     * The 8-byte error form: version, opcode, non-zero result code and epoch, no body. RFC 6886 §3.5 (as
     * corrected by erratum 3618) prescribes it for "unsupported version"; some gateways use it for every error.
     */
    record ErrorHeader(int opcode, int resultCode, long epoch) implements NatPmpResponse {
        public ErrorHeader {
            NatPmpResponse.checkHeader(resultCode, epoch);
            if (resultCode == NatPmpCodec.RESULT_SUCCESS) {
                throw new IllegalArgumentException("a success response has a body");
            }
            if (opcode < 0 || opcode > 0xFF || (opcode & NatPmpCodec.RESPONSE_BIT) == 0) {
                throw new IllegalArgumentException("not a response opcode: " + opcode);
            }
        }
    }

    private static void checkHeader(int resultCode, long epoch) {
        if (resultCode < 0 || resultCode > 0xFFFF) {
            throw new IllegalArgumentException("result code must fit in 16 unsigned bits");
        }
        if (epoch < 0 || epoch > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("epoch must fit in 32 unsigned bits");
        }
    }
}
