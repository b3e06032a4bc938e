package dev.openport.core.spi;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The one place where what happened on a UDP request/answer exchange becomes a {@link PortMappingException}, so
 * NAT-PMP and PCP give the same {@link Reason} and {@link PortMappingException.Failure} for the same event:
 *
 * <table>
 * <caption>I/O outcome to reason</caption>
 * <tr><th>event</th><th>reason</th><th>failure</th></tr>
 * <tr><td>no acceptable answer before the deadline or the last send</td><td>TIMEOUT</td><td>NoAnswer</td></tr>
 * <tr><td>ICMP port unreachable, the gateway never answered</td><td>UNSUPPORTED</td><td>Unreachable</td></tr>
 * <tr><td>only malformed answers</td><td>PROTOCOL_ERROR</td><td>Malformed</td></tr>
 * <tr><td>the local socket failed (no route, address gone)</td><td>GATEWAY_NOT_FOUND</td><td>SocketError</td></tr>
 * </table>
 *
 * ICMP port unreachable from a gateway that answered before means it is restarting: the exchange keeps
 * retransmitting, and ends in TIMEOUT if it stays so. {@link UdpExchange} uses it for every exchange; a module
 * building its own exchange uses it the same way:
 *
 * <pre>{@code
 * try {
 *     channel.receive(buffer);
 * } catch (PortUnreachableException e) {
 *     throw UdpOutcomes.unreachable(MappingProtocol.PCP, server, "PCP map TCP 25565", e);
 * }
 * }</pre>
 */
public final class UdpOutcomes {
    private UdpOutcomes() {
    }

    /**
     * No acceptable answer after {@code sends} sends in {@code elapsed}.
     *
     * @param protocol the protocol that asked
     * @param server   the gateway's server address and port
     * @param what     the operation, for the message (e.g. "NAT-PMP map TCP 25565")
     * @param sends    how many requests were sent
     * @param elapsed  how long was waited
     * @param detail   what was ignored meanwhile (answers from elsewhere), or {@code null}
     * @return TIMEOUT with {@link PortMappingException.NoAnswer}
     */
    public static PortMappingException noAnswer(MappingProtocol protocol, InetSocketAddress server, String what,
            int sends, Duration elapsed, String detail) {
        return new PortMappingException(Reason.TIMEOUT, what + ": no answer from " + hostPort(server) + " after "
                + sends + (sends == 1 ? " send" : " sends") + " in " + elapsed.toMillis() + " ms"
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"), protocol, server.getAddress(),
                new PortMappingException.NoAnswer(sends, elapsed), List.of(), null);
    }

    /**
     * The wait was interrupted (a losing probe, a closing mapper).
     *
     * @param protocol the protocol that asked
     * @param server   the gateway's server address and port
     * @param what     the operation, for the message (e.g. "NAT-PMP map TCP 25565")
     * @param sends    how many requests were sent
     * @param elapsed  how long was waited
     * @return TIMEOUT with {@link PortMappingException.NoAnswer}
     */
    public static PortMappingException interrupted(MappingProtocol protocol, InetSocketAddress server, String what,
            int sends, Duration elapsed) {
        return new PortMappingException(Reason.TIMEOUT, what + ": interrupted while waiting for "
                + hostPort(server), protocol, server.getAddress(), new PortMappingException.NoAnswer(sends, elapsed),
                List.of(), null);
    }

    /**
     * ICMP port unreachable from a gateway that never answered: nothing runs {@code protocol} there.
     *
     * @param protocol the protocol that asked
     * @param server   the gateway's server address and port
     * @param what     the operation, for the message (e.g. "NAT-PMP map TCP 25565")
     * @param cause    the socket's exception for the ICMP message
     * @return UNSUPPORTED with {@link PortMappingException.Unreachable}
     */
    public static PortMappingException unreachable(MappingProtocol protocol, InetSocketAddress server, String what,
            Throwable cause) {
        return new PortMappingException(Reason.UNSUPPORTED, what + ": nothing listens on " + hostPort(server)
                + " (ICMP port unreachable): the gateway does not run " + protocol.displayName(), protocol,
                server.getAddress(), new PortMappingException.Unreachable(server.getPort()), List.of(), cause);
    }

    /**
     * Only malformed answers came.
     *
     * @param protocol the protocol that asked
     * @param server   the gateway's server address and port
     * @param what     the operation, for the message (e.g. "NAT-PMP map TCP 25565")
     * @param detail   what was wrong with the last one
     * @return PROTOCOL_ERROR with {@link PortMappingException.Malformed}
     */
    public static PortMappingException malformed(MappingProtocol protocol, InetSocketAddress server, String what,
            String detail) {
        return new PortMappingException(Reason.PROTOCOL_ERROR, what + ": no valid answer from " + hostPort(server)
                + ", only malformed ones (last: " + detail + ")", protocol, server.getAddress(),
                new PortMappingException.Malformed(detail), List.of(), null);
    }

    /**
     * The local socket failed (no route, the local address gone).
     *
     * @param protocol the protocol that asked
     * @param server   the gateway's server address and port
     * @param what     the operation, for the message (e.g. "NAT-PMP map TCP 25565")
     * @param e        the socket's exception
     * @return GATEWAY_NOT_FOUND with {@link PortMappingException.SocketError}
     */
    public static PortMappingException socketError(MappingProtocol protocol, InetSocketAddress server, String what,
            IOException e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new PortMappingException(Reason.GATEWAY_NOT_FOUND, what + ": cannot talk to " + hostPort(server)
                + ": " + detail, protocol, server.getAddress(), new PortMappingException.SocketError(detail),
                List.of(), e);
    }

    static String hostPort(InetSocketAddress server) {
        String host = server.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getPort();
    }
}
