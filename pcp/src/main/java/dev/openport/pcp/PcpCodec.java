package dev.openport.pcp;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes ↔ {@link PcpMessage}, RFC 6887 §7, §11.1, §12.1, §13, §14.1. Pure: no I/O, no state.
 *
 * <p>Decoding is hostile-input safe: it reads at most {@link #MAX_MESSAGE} octets, allocates in proportion to
 * the input, and reports every malformation as a {@link PcpFormatException}, never an unchecked exception.
 * Reserved fields and padding are kept (the RFC says to ignore them, not to reject them), so re-encoding a
 * decoded message gives the same bytes.
 */
final class PcpCodec {
    /** Common header length, §7.1/§7.2. */
    static final int HEADER = 24;
    /** Largest PCP message, §7: "MUST NOT exceed 1100 octets". */
    static final int MAX_MESSAGE = 1100;

    private PcpCodec() {
    }

    static byte[] encode(PcpMessage m) {
        int length = HEADER + (m.payload() == null ? 0 : m.payload().length());
        for (PcpOption o : m.options()) {
            length += 4 + o.data().length() + o.padding().length();
        }
        if (length > MAX_MESSAGE) {
            throw new IllegalArgumentException("PCP message of " + length + " octets exceeds 1100 (§7)");
        }
        if (m.version() == PcpMessage.VERSION) {
            checkPayloadFits(m);
        }
        byte[] b = new byte[length];
        b[0] = (byte) m.version();
        b[1] = (byte) ((m.response() ? PcpMessage.RESPONSE_BIT : 0) | m.opcode());
        byte[] reserved = m.reserved().toByteArray();
        putInt(b, 4, m.lifetime());
        if (m.response()) {
            b[2] = reserved[0];
            b[3] = (byte) m.resultCode();
            putInt(b, 8, m.epoch());
            System.arraycopy(reserved, 1, b, 12, 12);
        } else {
            b[2] = reserved[0];
            b[3] = reserved[1];
            PcpAddresses.write(m.clientAddress(), b, 8);
        }
        int at = HEADER;
        if (m.payload() instanceof PcpPayload.Map map) {
            at = writeMapFields(b, at, map.nonce(), map.protocol(), map.reserved().toByteArray(), map.internalPort(),
                    map.externalPort(), map.externalAddress());
        } else if (m.payload() instanceof PcpPayload.Peer peer) {
            byte[] r = peer.reserved().toByteArray();
            at = writeMapFields(b, at, peer.nonce(), peer.protocol(), r, peer.internalPort(), peer.externalPort(),
                    peer.externalAddress());
            putShort(b, at, peer.remotePort());
            b[at + 2] = r[3];
            b[at + 3] = r[4];
            PcpAddresses.write(peer.remoteAddress(), b, at + 4);
            at += 20;
        } else if (m.payload() instanceof PcpPayload.Raw raw) {
            raw.bytes().copyTo(b, at);
            at += raw.length();
        }
        for (PcpOption o : m.options()) {
            b[at] = (byte) o.code();
            b[at + 1] = (byte) o.reserved();
            putShort(b, at + 2, o.data().length());
            o.data().copyTo(b, at + 4);
            o.padding().copyTo(b, at + 4 + o.data().length());
            at += 4 + o.data().length() + o.padding().length();
        }
        return b;
    }

    /** Refuses to encode what {@link #decode} would read back differently. */
    private static void checkPayloadFits(PcpMessage m) {
        PcpPayload p = m.payload();
        boolean headerOnly = p == null && m.options().isEmpty() && m.response() && m.resultCode() != 0;
        boolean fits = switch (m.opcode()) {
            case PcpMessage.OPCODE_ANNOUNCE -> p == null;
            case PcpMessage.OPCODE_MAP -> p instanceof PcpPayload.Map || headerOnly;
            case PcpMessage.OPCODE_PEER -> p instanceof PcpPayload.Peer || headerOnly;
            default -> p instanceof PcpPayload.Raw && m.options().isEmpty();
        };
        if (!fits) {
            throw new IllegalArgumentException("payload " + (p == null ? "none" : p.getClass().getSimpleName())
                    + " does not fit opcode " + m.opcode());
        }
    }

    private static int writeMapFields(byte[] b, int at, Octets nonce, int protocol, byte[] reserved,
            int internalPort, int externalPort, InetAddress externalAddress) {
        nonce.copyTo(b, at);
        b[at + 12] = (byte) protocol;
        System.arraycopy(reserved, 0, b, at + 13, 3);
        putShort(b, at + 16, internalPort);
        putShort(b, at + 18, externalPort);
        PcpAddresses.write(externalAddress, b, at + 20);
        return at + 36;
    }

    static PcpMessage decode(byte[] data) throws PcpFormatException {
        return decode(data, data.length);
    }

    /**
     * Decodes the first {@code length} octets of {@code data}.
     *
     * @throws PcpFormatException when they are not a PCP message this codec can represent: shorter than the
     *                            header, longer than 1100 octets or not a multiple of 4 (§7), a truncated
     *                            MAP/PEER payload, a malformed option, or an unknown mandatory option (§7.3)
     */
    static PcpMessage decode(byte[] data, int length) throws PcpFormatException {
        if (length < HEADER || length > data.length) {
            throw malformed(PcpResultCode.MALFORMED_REQUEST, "message of " + length
                    + " octets is shorter than the 24-octet header");
        }
        if (length > MAX_MESSAGE) {
            throw malformed(PcpResultCode.MALFORMED_REQUEST, "message of " + length + " octets exceeds 1100 (§7)");
        }
        if (length % 4 != 0) {
            throw malformed(PcpResultCode.MALFORMED_REQUEST, "message of " + length
                    + " octets is not a multiple of 4 (§7)");
        }
        int version = data[0] & 0xFF;
        boolean response = (data[1] & PcpMessage.RESPONSE_BIT) != 0;
        int opcode = data[1] & 0x7F;
        long lifetime = getInt(data, 4);
        int resultCode = 0;
        long epoch = 0;
        InetAddress client = null;
        byte[] reserved;
        if (response) {
            resultCode = data[3] & 0xFF;
            epoch = getInt(data, 8);
            reserved = new byte[13];
            reserved[0] = data[2];
            System.arraycopy(data, 12, reserved, 1, 12);
        } else {
            reserved = new byte[] {data[2], data[3]};
            client = PcpAddresses.read(data, 8);
        }
        int at = HEADER;
        PcpPayload payload;
        List<PcpOption> options = List.of();
        if (version != PcpMessage.VERSION) {
            // another version's layout is unknown beyond the header (§9): keep the rest as it is
            payload = new PcpPayload.Raw(Octets.copyOf(data, at, length - at));
        } else {
            switch (opcode) {
                case PcpMessage.OPCODE_ANNOUNCE -> payload = null;
                case PcpMessage.OPCODE_MAP, PcpMessage.OPCODE_PEER -> {
                    int need = opcode == PcpMessage.OPCODE_MAP ? PcpPayload.Map.LENGTH : PcpPayload.Peer.LENGTH;
                    if (length == HEADER && response && resultCode != 0) {
                        // an error answer to a request the server could not parse carries only the header
                        payload = null;
                    } else if (length - at < need) {
                        throw malformed(PcpResultCode.MALFORMED_REQUEST, (opcode == 1 ? "MAP" : "PEER")
                                + " needs " + need + " octets of opcode data, got " + (length - at));
                    } else {
                        payload = opcode == PcpMessage.OPCODE_MAP ? readMap(data, at) : readPeer(data, at);
                        at += need;
                    }
                }
                default -> {
                    payload = new PcpPayload.Raw(Octets.copyOf(data, at, length - at));
                    at = length;
                }
            }
            options = readOptions(data, at, length);
        }
        return new PcpMessage(version, opcode, response, resultCode, lifetime, epoch, client, Octets.of(reserved),
                payload, options);
    }

    private static PcpPayload.Map readMap(byte[] d, int at) {
        return new PcpPayload.Map(Octets.copyOf(d, at, 12), d[at + 12] & 0xFF, Octets.copyOf(d, at + 13, 3),
                getShort(d, at + 16), getShort(d, at + 18), PcpAddresses.read(d, at + 20));
    }

    private static PcpPayload.Peer readPeer(byte[] d, int at) {
        byte[] reserved = {d[at + 13], d[at + 14], d[at + 15], d[at + 38], d[at + 39]};
        return new PcpPayload.Peer(Octets.copyOf(d, at, 12), d[at + 12] & 0xFF, Octets.of(reserved),
                getShort(d, at + 16), getShort(d, at + 18), PcpAddresses.read(d, at + 20), getShort(d, at + 36),
                PcpAddresses.read(d, at + 40));
    }

    /** §7.3: code, reserved, 16-bit length of the data (padding excluded), data padded to 4 octets. */
    private static List<PcpOption> readOptions(byte[] d, int at, int end) throws PcpFormatException {
        List<PcpOption> options = new ArrayList<>();
        while (at < end) {
            // the message length is a multiple of 4, so 4 octets of option header are always there
            int code = d[at] & 0xFF;
            int reserved = d[at + 1] & 0xFF;
            int dataLength = getShort(d, at + 2);
            int padded = (dataLength + 3) & ~3;
            if (padded > end - at - 4) {
                throw malformed(PcpResultCode.MALFORMED_OPTION, "option " + code + " claims " + dataLength
                        + " octets, only " + (end - at - 4) + " left");
            }
            PcpOption o = new PcpOption(code, reserved, Octets.copyOf(d, at + 4, dataLength),
                    Octets.copyOf(d, at + 4 + dataLength, padded - dataLength));
            check(o);
            options.add(o);
            at += 4 + padded;
        }
        return options;
    }

    private static void check(PcpOption o) throws PcpFormatException {
        switch (o.code()) {
            case PcpOption.THIRD_PARTY -> expectLength(o, PcpOption.THIRD_PARTY_LENGTH, "THIRD_PARTY");
            case PcpOption.PREFER_FAILURE -> expectLength(o, 0, "PREFER_FAILURE");
            case PcpOption.FILTER -> {
                expectLength(o, PcpOption.FILTER_LENGTH, "FILTER");
                if (o.filterPrefixLength() > 128) {
                    throw malformed(PcpResultCode.MALFORMED_OPTION, "FILTER prefix length "
                            + o.filterPrefixLength() + " exceeds 128 (§13.3)");
                }
            }
            default -> {
                if (o.isMandatory()) {
                    throw malformed(PcpResultCode.UNSUPP_OPTION, "unknown mandatory-to-process option "
                            + o.code() + " (§7.3)");
                }
                // unknown optional-to-process option: carried, otherwise ignored (§7.3)
            }
        }
    }

    private static void expectLength(PcpOption o, int expected, String name) throws PcpFormatException {
        if (o.data().length() != expected) {
            throw malformed(PcpResultCode.MALFORMED_OPTION, name + " option must carry " + expected
                    + " octets, got " + o.data().length());
        }
    }

    private static PcpFormatException malformed(PcpResultCode code, String message) {
        return new PcpFormatException(code, message);
    }

    static long getInt(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | b[at + 3] & 0xFFL;
    }

    static int getShort(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static void putInt(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
