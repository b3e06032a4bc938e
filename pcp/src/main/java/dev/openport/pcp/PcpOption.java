package dev.openport.pcp;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One PCP option (RFC 6887 §7.3): code, a reserved octet, the data, and the zero padding to a 4-octet boundary.
 * Options we do not interpret (optional-to-process codes 128–255) are carried as-is, so a decoded message
 * re-encodes to the same bytes.
 *
 * @param code     option code; below 128 is mandatory-to-process (§7.3)
 * @param reserved the reserved octet (sent as 0, ignored on receipt)
 * @param data     the option data, {@code length} octets
 * @param padding  the octets after the data up to the 4-octet boundary (sent as 0, ignored on receipt)
 */
record PcpOption(int code, int reserved, Octets data, Octets padding) {

    /** THIRD_PARTY, §13.1: the internal address of another host. */
    static final int THIRD_PARTY = 1;
    /** PREFER_FAILURE, §13.2: fail rather than grant another external port/address than suggested. */
    static final int PREFER_FAILURE = 2;
    /** FILTER, §13.3: only let this remote prefix/port through the mapping. */
    static final int FILTER = 3;
    /** Codes from 128 are optional-to-process (§7.3): a receiver that does not know one skips it. */
    static final int FIRST_OPTIONAL = 128;

    static final int THIRD_PARTY_LENGTH = 16;
    static final int FILTER_LENGTH = 20;

    PcpOption {
        if (code < 0 || code > 255 || reserved < 0 || reserved > 255) {
            throw new IllegalArgumentException("option code and reserved must be octets");
        }
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(padding, "padding");
        if (data.length() > 0xFFFF || (data.length() + padding.length()) % 4 != 0 || padding.length() > 3) {
            throw new IllegalArgumentException("option data of " + data.length() + " octets needs "
                    + ((4 - data.length() % 4) % 4) + " octets of padding, got " + padding.length());
        }
    }

    /** An option with zero reserved octet and zero padding. */
    static PcpOption of(int code, Octets data) {
        return new PcpOption(code, 0, data, Octets.zeros((4 - data.length() % 4) % 4));
    }

    static PcpOption thirdParty(InetAddress internalAddress) {
        byte[] b = new byte[16];
        PcpAddresses.write(internalAddress, b, 0);
        return of(THIRD_PARTY, Octets.of(b));
    }

    static PcpOption preferFailure() {
        return of(PREFER_FAILURE, Octets.EMPTY);
    }

    static PcpOption filter(int prefixLength, int remotePort, InetAddress remotePrefix) {
        byte[] b = new byte[FILTER_LENGTH];
        b[1] = (byte) prefixLength;
        b[2] = (byte) (remotePort >>> 8);
        b[3] = (byte) remotePort;
        PcpAddresses.write(remotePrefix, b, 4);
        return of(FILTER, Octets.of(b));
    }

    boolean isMandatory() {
        return code < FIRST_OPTIONAL;
    }

    /** The THIRD_PARTY address; only for {@code code == THIRD_PARTY}. */
    InetAddress thirdPartyAddress() {
        return PcpAddresses.read(data.toByteArray(), 0);
    }

    /** FILTER's prefix length; only for {@code code == FILTER}. */
    int filterPrefixLength() {
        return data.toByteArray()[1] & 0xFF;
    }

    /** FILTER's remote peer port (0 = all ports); only for {@code code == FILTER}. */
    int filterRemotePort() {
        byte[] b = data.toByteArray();
        return (b[2] & 0xFF) << 8 | b[3] & 0xFF;
    }

    /** FILTER's remote peer prefix; only for {@code code == FILTER}. */
    InetAddress filterRemoteAddress() {
        return PcpAddresses.read(data.toByteArray(), 4);
    }
}
