package dev.openport.pcp;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of octets compared by content: nonces, reserved fields and option data we carry without
 * interpreting. (A record holding a {@code byte[]} would compare arrays by identity.)
 */
final class Octets {
    static final Octets EMPTY = new Octets(new byte[0]);

    private final byte[] bytes;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of {@code length} bytes of {@code source} from {@code offset}. */
    static Octets copyOf(byte[] source, int offset, int length) {
        return new Octets(Arrays.copyOfRange(source, offset, offset + length));
    }

    static Octets of(byte... bytes) {
        return new Octets(bytes.clone());
    }

    /** {@code length} zero octets. */
    static Octets zeros(int length) {
        return new Octets(new byte[length]);
    }

    /** Parses lower- or upper-case hex; throws {@link IllegalArgumentException} on anything else. */
    static Octets fromHex(String hex) {
        return new Octets(HexFormat.of().parseHex(hex));
    }

    int length() {
        return bytes.length;
    }

    byte[] toByteArray() {
        return bytes.clone();
    }

    void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, bytes.length);
    }

    boolean isAllZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
