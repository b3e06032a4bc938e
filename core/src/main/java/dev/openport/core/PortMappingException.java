package dev.openport.core;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A port-mapping operation failed. {@link #reason()} says what the caller can do about it; the message names
 * the gateway and, where the gateway sent one, the protocol's own result code.
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

    private final Reason reason;
    private final MappingProtocol protocol;
    private final InetAddress gateway;
    private final Integer protocolCode;

    /** A failure with no protocol code. */
    public PortMappingException(Reason reason, String message) {
        this(reason, message, null, null, null, null);
    }

    /** A failure with no protocol code, caused by {@code cause}. */
    public PortMappingException(Reason reason, String message, Throwable cause) {
        this(reason, message, null, null, null, cause);
    }

    /**
     * A failure with all the context known.
     *
     * @param protocol     the protocol in use, or {@code null}
     * @param gateway      the gateway asked, or {@code null}
     * @param protocolCode the result or error code the gateway sent, or {@code null}
     */
    public PortMappingException(Reason reason, String message, MappingProtocol protocol, InetAddress gateway,
            Integer protocolCode, Throwable cause) {
        super(describe(message, protocol, gateway, protocolCode), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.protocol = protocol;
        this.gateway = gateway;
        this.protocolCode = protocolCode;
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

    /** What the caller can act on. */
    public Reason reason() {
        return reason;
    }

    /** The protocol that failed, or {@code null} when none was in use yet. */
    public MappingProtocol protocol() {
        return protocol;
    }

    /** The gateway that was asked, or {@code null}. */
    public InetAddress gateway() {
        return gateway;
    }

    /** The result or error code the gateway sent (NAT-PMP/PCP result code, UPnP error code), if any. */
    public OptionalInt protocolCode() {
        return protocolCode == null ? OptionalInt.empty() : OptionalInt.of(protocolCode);
    }
}
