package dev.openport.pcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * PCP carries every address in 128 bits; IPv4 as an IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d}
 * (RFC 6887 §5).
 */
final class PcpAddresses {
    /** "No suggestion" for an IPv4 external address: {@code ::ffff:0.0.0.0} (§11.1). */
    static final InetAddress IPV4_UNSPECIFIED = read(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0}, 0);
    /** "No suggestion" for an IPv6 external address: {@code ::} (§11.1). */
    static final InetAddress IPV6_UNSPECIFIED = read(new byte[16], 0);

    private PcpAddresses() {
    }

    /** Writes {@code address} as 16 octets at {@code offset}. */
    static void write(InetAddress address, byte[] target, int offset) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            target[offset + 10] = (byte) 0xFF;
            target[offset + 11] = (byte) 0xFF;
            System.arraycopy(raw, 0, target, offset + 12, 4);
            for (int i = 0; i < 10; i++) {
                target[offset + i] = 0;
            }
        } else {
            System.arraycopy(raw, 0, target, offset, 16);
        }
    }

    /** Reads 16 octets; an IPv4-mapped address comes back as an {@link Inet4Address}. */
    static InetAddress read(byte[] source, int offset) {
        byte[] raw = new byte[16];
        System.arraycopy(source, offset, raw, 0, 16);
        try {
            return InetAddress.getByAddress(raw);   // no DNS: a literal address; ::ffff:x.x.x.x -> Inet4Address
        } catch (UnknownHostException e) {
            throw new AssertionError("16 octets are always an address", e);
        }
    }

    /** The "no suggestion" external address of {@code client}'s family. */
    static InetAddress unspecifiedLike(InetAddress client) {
        return client instanceof Inet4Address ? IPV4_UNSPECIFIED : IPV6_UNSPECIFIED;
    }
}
