package dev.openport.pcp;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.spi.ProtocolState;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * What identifies a PCP mapping (§11.1: nonce, protocol, internal port) and how it is kept in
 * {@link PortMapping#protocolState()}, and which MAP answers belong to a request.
 */
final class PcpMaps {
    /** {@link PortMapping#protocolState()}: nonce, and the internal port sent when it follows the external one. */
    private static final Pattern STATE = Pattern.compile("([0-9a-fA-F]{24})(?::([0-9]{1,5}))?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private PcpMaps() {
    }

    /**
     * Accepts a MAP answer only when it echoes our nonce, protocol and internal port (§11.4). An error answer
     * carrying only the header is accepted for the codes a server sends when it could not parse the request,
     * where it cannot echo anything.
     */
    static PcpChannel.Matcher mapMatcher(PcpPayload.Map asked) {
        return m -> {
            if (m.version() != PcpMessage.VERSION) {
                return null;   // checked by exchange()
            }
            PcpPayload.Map got = m.map();
            if (got == null) {
                int rc = m.resultCode();
                return rc == 1 || rc == 3 || rc == 4 ? null
                        : "header-only " + PcpResultCode.describe(rc) + " without our nonce";
            }
            if (!got.nonce().equals(asked.nonce())) {
                return "nonce mismatch (" + got.nonce() + ")";
            }
            if (got.protocol() != asked.protocol() || got.internalPort() != asked.internalPort()) {
                return "answer for protocol " + got.protocol() + " port " + got.internalPort();
            }
            return null;
        };
    }

    static Octets newNonce() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return Octets.of(b);
    }

    /**
     * The protocol state: the nonce as 24 hex digits, and for a request that follows the external port
     * {@code :} and the internal port on the wire (the mapping's key with the nonce, §11.1).
     */
    static ProtocolState state(Octets nonce, MappingRequest request, int wireInternal) {
        return ProtocolState.of(request.followsExternalPort() ? nonce.toHex() + ":" + wireInternal : nonce.toHex());
    }

    /** The nonce kept in {@link PortMapping#protocolState()}, or {@code null}. */
    static Octets nonceOf(PortMapping mapping) {
        var m = STATE.matcher(mapping.protocolState().text());
        return m.matches() ? Octets.fromHex(m.group(1)) : null;
    }

    /** The internal port the mapping was asked for on the wire. */
    static int wireInternalPort(PortMapping mapping) {
        var m = STATE.matcher(mapping.protocolState().text());
        if (m.matches() && m.group(2) != null) {
            int port = Integer.parseInt(m.group(2));
            if (port >= 1 && port <= 0xFFFF) {
                return port;
            }
        }
        return mapping.internalPort();
    }
}
