package dev.openport.natpmp;

import dev.openport.core.Transport;
import java.util.Objects;

/** A NAT-PMP request a client sends to the gateway (RFC 6886 §3.2, §3.3). */
sealed interface NatPmpRequest permits NatPmpRequest.ExternalAddress, NatPmpRequest.Map {

    /** The request opcode: 0 external address, 1 map UDP, 2 map TCP. */
    int opcode();

    /** The opcode a matching response carries: request opcode + 128 (RFC 6886 §3). */
    default int responseOpcode() {
        return opcode() | NatPmpCodec.RESPONSE_BIT;
    }

    /** "What is my external address?" (RFC 6886 §3.2): two bytes, version and opcode 0. */
    record ExternalAddress() implements NatPmpRequest {
        @Override
        public int opcode() {
            return NatPmpCodec.OP_EXTERNAL_ADDRESS;
        }
    }

    /**
     * Create, renew or delete a mapping (RFC 6886 §3.3, §3.4).
     *
     * @param transport             selects opcode 1 (UDP) or 2 (TCP)
     * @param internalPort          0–65535; 0 together with lifetime 0 deletes all of this client's mappings
     * @param suggestedExternalPort 0–65535; 0 lets the gateway choose
     * @param lifetimeSeconds       0–2^32-1; 0 deletes
     */
    record Map(Transport transport, int internalPort, int suggestedExternalPort, long lifetimeSeconds)
            implements NatPmpRequest {
        public Map {
            Objects.requireNonNull(transport, "transport");
            if (internalPort < 0 || internalPort > 0xFFFF || suggestedExternalPort < 0
                    || suggestedExternalPort > 0xFFFF) {
                throw new IllegalArgumentException("ports must be 0-65535");
            }
            if (lifetimeSeconds < 0 || lifetimeSeconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("lifetime must fit in 32 unsigned bits");
            }
            if (internalPort == 0 && lifetimeSeconds != 0) {
                // internal port 0 only has a meaning for delete-all (RFC 6886 §3.4)
                throw new IllegalArgumentException("internal port 0 is only valid with lifetime 0 (delete all)");
            }
        }

        @Override
        public int opcode() {
            return NatPmpCodec.opcodeFor(transport);
        }

        /** Deletes one mapping: lifetime 0, suggested external port 0 (RFC 6886 §3.4). */
        static Map delete(Transport transport, int internalPort) {
            if (internalPort == 0) {
                throw new IllegalArgumentException("use deleteAll for internal port 0");
            }
            return new Map(transport, internalPort, 0, 0);
        }

        /** Deletes all of this client's mappings of one transport: internal port 0, lifetime 0 (RFC 6886 §3.4). */
        static Map deleteAll(Transport transport) {
            return new Map(transport, 0, 0, 0);
        }

        /** Whether this is a deletion (lifetime 0). */
        boolean isDelete() {
            return lifetimeSeconds == 0;
        }
    }
}
