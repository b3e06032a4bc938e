package dev.openport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A port-mapping operation failed. {@link #reason()} says what the caller can do about it; {@link #failure()}
 * what happened, as data (never parse the message); {@link #attempts()} each protocol's failure when a probe
 * of several failed. The message names the gateway and, where the gateway sent one, the protocol's result code.
 *
 * <pre>{@code
 * try {
 *     mapper.map(MappingRequest.of(Transport.TCP, 25565));
 * } catch (PortMappingException e) {
 *     if (e.reason() == PortMappingException.Reason.CONFLICT) {
 *         // another host holds the external port: ask for another one
 *     }
 * }
 * }</pre>
 */
public class PortMappingException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as something a caller can act on. */
    public enum Reason {
        /** No gateway answered, or none speaks a protocol we can use. */
        GATEWAY_NOT_FOUND,
        /** The gateway did not answer in time. */
        TIMEOUT,
        /** The gateway refused: this client, port or operation is not allowed. */
        NOT_AUTHORIZED,
        /** The external port is taken by another mapping. */
        CONFLICT,
        /** The gateway has no room for more mappings (or a quota was exceeded). */
        NO_RESOURCES,
        /** The gateway has no working external connection (NAT-PMP/PCP "network failure"). */
        NETWORK_FAILURE,
        /** The gateway does not support what was asked (protocol, opcode, option, lease). */
        UNSUPPORTED,
        /** The gateway sent something malformed or unexpected. */
        PROTOCOL_ERROR
    }

    /**
     * What happened, in a form a program can inspect: {@link #reason()} is the summary, this the detail. Every
     * protocol module reports the same event with the same failure (and the same reason).
     *
     * <pre>{@code
     * PortMappingException.Failure f = e.failure().orElse(null);
     * if (f instanceof PortMappingException.NoAnswer n) {
     *     log("no answer after " + n.sends() + " sends in " + n.elapsed());
     * } else if (f instanceof PortMappingException.GatewayNeeded g) {
     *     log("no gateway address on " + g.device() + ": configure the gateway explicitly");
     * }
     * }</pre>
     */
    public sealed interface Failure
            permits Refused, NoAnswer, Unreachable, Malformed, SocketError, GatewayNeeded, NoProtocolModule {
    }

    /**
     * The gateway answered with a refusal.
     *
     * @param code the protocol's result or error code (NAT-PMP/PCP result code, UPnP error code)
     */
    public record Refused(int code) implements Failure {
    }

    /**
     * No acceptable answer came.
     *
     * @param sends   how many requests were sent (with retransmissions)
     * @param elapsed how long was waited in all
     */
    public record NoAnswer(int sends, Duration elapsed) implements Failure {
        /**
         * Checks the detail.
         *
         * @param sends   how many requests were sent
         * @param elapsed how long was waited, not {@code null}
         */
        public NoAnswer {
            Objects.requireNonNull(elapsed, "elapsed");
        }
    }

    /**
     * The gateway's host answered with ICMP port unreachable: nothing listens on the protocol's port.
     *
     * @param port the port that was unreachable
     */
    public record Unreachable(int port) implements Failure {
    }

    /**
     * Only malformed or unexpected answers came.
     *
     * @param detail what was wrong with the last one
     */
    public record Malformed(String detail) implements Failure {
        /**
         * Checks the detail.
         *
         * @param detail what was wrong, not {@code null}
         */
        public Malformed {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * A local socket operation failed (no route, interface down, address not available).
     *
     * @param detail the system's description
     */
    public record SocketError(String detail) implements Failure {
        /**
         * Checks the detail.
         *
         * @param detail the system's description, not {@code null}
         */
        public SocketError {
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * No gateway could be found to ask: name it explicitly ({@code DiscoveryOptions} gateway).
     *
     * @param device the interface of a default route that has no gateway address (a VPN tunnel such as
     *               {@code wg0}), or {@code null} when there is no default route at all
     */
    public record GatewayNeeded(String device) implements Failure {
    }

    /**
     * No protocol module is on the class path or module path.
     *
     * @param artifact the Maven coordinates to add, e.g. {@code dev.openport:openport}
     */
    public record NoProtocolModule(String artifact) implements Failure {
        /**
         * Checks the detail.
         *
         * @param artifact the Maven coordinates to add, not {@code null}
         */
        public NoProtocolModule {
            Objects.requireNonNull(artifact, "artifact");
        }
    }

    /** What the caller can act on; never null. */
    private final Reason reason;
    /** The protocol in use, or null before one was chosen. */
    private final MappingProtocol protocol;
    /** The gateway asked, or null. */
    private final InetAddress gateway;
    /** The structured detail, or null; not serialized (a copy in another JVM keeps reason and message). */
    private final transient Failure failure;
    /** Each protocol's failure of a failed probe; empty for one operation. */
    private final List<PortMappingException> attempts;

    /**
     * A failure with no protocol code.
     *
     * @param reason  what the caller can act on
     * @param message what went wrong, for people (callers act on {@code reason}, never on this text)
     */
    public PortMappingException(Reason reason, String message) {
        this(reason, message, null, null, null, List.of(), null);
    }

    /**
     * A failure with no protocol code, caused by {@code cause}.
     *
     * @param reason  what the caller can act on
     * @param message what went wrong, for people
     * @param cause   the exception behind it (an I/O error), or {@code null}
     */
    public PortMappingException(Reason reason, String message, Throwable cause) {
        this(reason, message, null, null, null, List.of(), cause);
    }

    /**
     * A failure with all the context known; a {@code protocolCode} makes the failure {@link Refused}.
     *
     * @param reason       what the caller can act on
     * @param message      what went wrong, for people; the protocol, gateway and code are appended
     * @param protocol     the protocol in use, or {@code null}
     * @param gateway      the gateway asked, or {@code null}
     * @param protocolCode the result or error code the gateway sent, or {@code null}
     * @param cause        the exception behind it, or {@code null}
     */
    public PortMappingException(Reason reason, String message, MappingProtocol protocol, InetAddress gateway,
            Integer protocolCode, Throwable cause) {
        this(reason, message, protocol, gateway, protocolCode == null ? null : new Refused(protocolCode), List.of(),
                cause);
    }

    /**
     * A failure with its structured detail and, for a probe of several protocols, what each attempt ended in.
     *
     * @param reason   what the caller can act on
     * @param message  what went wrong, for people; the protocol, gateway and a refusal's code are appended
     * @param protocol the protocol in use, or {@code null}
     * @param gateway  the gateway asked, or {@code null}
     * @param failure  what happened, or {@code null} when {@code reason} and the message say all
     * @param attempts the failures of the single attempts (one per protocol tried), in order; {@code null} or
     *                 empty for none
     * @param cause    the exception behind it, or {@code null}
     */
    public PortMappingException(Reason reason, String message, MappingProtocol protocol, InetAddress gateway,
            Failure failure, List<PortMappingException> attempts, Throwable cause) {
        super(describe(message, protocol, gateway, failure instanceof Refused r ? r.code() : null), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.protocol = protocol;
        this.gateway = gateway;
        this.failure = failure;
        this.attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    private static String describe(String message, MappingProtocol protocol, InetAddress gateway, Integer code) {
        StringBuilder sb = new StringBuilder(message == null ? "port mapping failed" : message);
        if (protocol != null || gateway != null || code != null) {
            sb.append(" (");
            String sep = "";
            if (protocol != null) {
                sb.append(protocol.displayName());
                sep = " ";
            }
            if (gateway != null) {
                sb.append(sep).append("gateway ").append(gateway.getHostAddress());
                sep = ", ";
            }
            if (code != null) {
                sb.append(sep).append("code ").append(code);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /**
     * What the caller can act on: retry later, pick another port, give up, ask the user to change the router.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The protocol that failed.
     *
     * @return the protocol, or {@code null} when none was in use yet (no gateway found)
     */
    public MappingProtocol protocol() {
        return protocol;
    }

    /**
     * The gateway that was asked.
     *
     * @return its address, or {@code null} when none was found
     */
    public InetAddress gateway() {
        return gateway;
    }

    /**
     * The result or error code the gateway sent, for logs and support (NAT-PMP/PCP result code, UPnP error code).
     *
     * @return the code of a {@link Refused} failure, else empty
     */
    public OptionalInt protocolCode() {
        return failure instanceof Refused r ? OptionalInt.of(r.code()) : OptionalInt.empty();
    }

    /**
     * What happened in detail, for callers that explain or react more finely than {@link #reason()} allows
     * (the CLI's hints).
     *
     * @return the structured failure, or empty when the reason and the message say all
     */
    public Optional<Failure> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * For a failed probe of several protocols: each protocol's own failure, in the order they were tried
     * (their {@link #protocol()} says which). Empty for the failure of one operation.
     *
     * @return an unmodifiable list, empty when there was one attempt
     */
    public List<PortMappingException> attempts() {
        return attempts;
    }
}
