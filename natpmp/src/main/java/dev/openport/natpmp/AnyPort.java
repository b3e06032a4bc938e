package dev.openport.natpmp;

import dev.openport.core.PortMapping;
import dev.openport.core.spi.ProtocolState;

/**
 * The NAT-PMP side of "any port" requests ({@code MappingRequest.anyPort}): which internal port goes on the
 * wire, and whether an answer forwards the granted port to the same port.
 *
 * <p>The wire needs a non-zero internal port (RFC 6886 §3.3: 0 is delete-all). VPN gateways ignore it and
 * forward the port they grant to the same port of the client (ProtonVPN documents {@code natpmpc -a 1 0 udp 60};
 * gluetun sends 0), answering internal port 0 or the granted port. RFC gateways forward to the port we send,
 * so we send a port we can follow (the suggestion, else {@link dev.openport.core.spi.AnyPorts#pick()}) and
 * remember it in {@link PortMapping#protocolState()} so renewals and deletion name the same mapping.
 */
final class AnyPort {
    private static final String STATE_PREFIX = "natpmp-internal-port=";

    private AnyPort() {
    }

    /** Whether {@code answer} forwards its external port to the same port, given the internal port we sent. */
    static boolean forwardsToSamePort(NatPmpResponse.Map answer, int sentInternal) {
        // an RFC gateway echoes the port we sent; a VPN-style one answers 0 or the granted port (= P -> P)
        return answer.externalPort() == sentInternal || answer.internalPort() != sentInternal;
    }

    /** The protocol state recording the internal port sent on the wire. */
    static ProtocolState state(int wireInternal) {
        return ProtocolState.of(STATE_PREFIX + wireInternal);
    }

    /** The internal port to send for renewing or deleting {@code mapping}. */
    static int wireInternalPort(PortMapping mapping) {
        String s = mapping.protocolState().text();
        if (s.startsWith(STATE_PREFIX)) {
            try {
                int port = Integer.parseInt(s.substring(STATE_PREFIX.length()));
                if (port >= 1 && port <= 0xFFFF) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // not ours: fall through to the mapped internal port
            }
        }
        return mapping.internalPort();
    }
}
