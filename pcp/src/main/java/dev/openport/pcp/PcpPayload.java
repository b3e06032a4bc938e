package dev.openport.pcp;

import java.net.InetAddress;
import java.util.Objects;

/** The opcode-specific part of a PCP message (RFC 6887 §11, §12), between the header and the options. */
sealed interface PcpPayload {

    /** Its length on the wire. */
    int length();

    /**
     * MAP, §11.1: 36 octets.
     *
     * @param nonce           96 random bits chosen by the client, echoed by the server (§11.1)
     * @param protocol        IANA protocol number (6 TCP, 17 UDP, 0 all)
     * @param reserved        3 reserved octets
     * @param internalPort    the internal port (0 = all ports)
     * @param externalPort    suggested (request) or assigned (response) external port
     * @param externalAddress suggested or assigned external address
     */
    record Map(Octets nonce, int protocol, Octets reserved, int internalPort, int externalPort,
            InetAddress externalAddress) implements PcpPayload {
        static final int LENGTH = 36;

        public Map {
            checkNonce(nonce);
            checkOctet(protocol, "protocol");
            checkReserved(reserved, 3);
            checkPort(internalPort, "internal port");
            checkPort(externalPort, "external port");
            Objects.requireNonNull(externalAddress, "externalAddress");
        }

        Map(Octets nonce, int protocol, int internalPort, int externalPort, InetAddress externalAddress) {
            this(nonce, protocol, Octets.zeros(3), internalPort, externalPort, externalAddress);
        }

        @Override
        public int length() {
            return LENGTH;
        }
    }

    /**
     * PEER, §12.1: 56 octets — MAP's fields plus the remote peer.
     *
     * @param reserved 5 reserved octets: 3 after the protocol, 2 after the remote peer port
     */
    record Peer(Octets nonce, int protocol, Octets reserved, int internalPort, int externalPort,
            InetAddress externalAddress, int remotePort, InetAddress remoteAddress) implements PcpPayload {
        static final int LENGTH = 56;

        public Peer {
            checkNonce(nonce);
            checkOctet(protocol, "protocol");
            checkReserved(reserved, 5);
            checkPort(internalPort, "internal port");
            checkPort(externalPort, "external port");
            checkPort(remotePort, "remote peer port");
            Objects.requireNonNull(externalAddress, "externalAddress");
            Objects.requireNonNull(remoteAddress, "remoteAddress");
        }

        @Override
        public int length() {
            return LENGTH;
        }
    }

    /**
     * The octets after the header of an opcode or version we do not interpret; options cannot be told apart
     * from the payload there, so they are included.
     */
    record Raw(Octets bytes) implements PcpPayload {
        public Raw {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public int length() {
            return bytes.length();
        }
    }

    private static void checkNonce(Octets nonce) {
        if (nonce == null || nonce.length() != 12) {
            throw new IllegalArgumentException("nonce must be 12 octets");
        }
    }

    private static void checkReserved(Octets reserved, int length) {
        if (reserved == null || reserved.length() != length) {
            throw new IllegalArgumentException("reserved must be " + length + " octets");
        }
    }

    private static void checkOctet(int value, String what) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(what + " must be 0-255, was " + value);
        }
    }

    private static void checkPort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be 0-65535, was " + port);
        }
    }
}
