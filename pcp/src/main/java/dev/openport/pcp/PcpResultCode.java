package dev.openport.pcp;

import dev.openport.core.PortMappingException.Reason;

/** PCP result codes, RFC 6887 §7.4, and what each means for a caller of core's API. */
enum PcpResultCode {
    SUCCESS(0, null),
    UNSUPP_VERSION(1, Reason.UNSUPPORTED),
    NOT_AUTHORIZED(2, Reason.NOT_AUTHORIZED),
    MALFORMED_REQUEST(3, Reason.PROTOCOL_ERROR),
    UNSUPP_OPCODE(4, Reason.UNSUPPORTED),
    UNSUPP_OPTION(5, Reason.UNSUPPORTED),
    MALFORMED_OPTION(6, Reason.PROTOCOL_ERROR),
    NETWORK_FAILURE(7, Reason.NETWORK_FAILURE),
    NO_RESOURCES(8, Reason.NO_RESOURCES),
    UNSUPP_PROTOCOL(9, Reason.UNSUPPORTED),
    USER_EX_QUOTA(10, Reason.NO_RESOURCES),
    /** Only sent when the client insisted (PREFER_FAILURE) on an external port or address it cannot have. */
    CANNOT_PROVIDE_EXTERNAL(11, Reason.CONFLICT),
    ADDRESS_MISMATCH(12, Reason.NOT_AUTHORIZED),
    EXCESSIVE_REMOTE_PEERS(13, Reason.NO_RESOURCES);

    private static final PcpResultCode[] BY_CODE = values();

    private final int code;
    private final Reason reason;

    PcpResultCode(int code, Reason reason) {
        this.code = code;
        this.reason = reason;
    }

    int code() {
        return code;
    }

    /** The code for a wire value, or {@code null} for one RFC 6887 does not define. */
    static PcpResultCode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The core reason; an unknown code is a protocol error. */
    static Reason reasonFor(int code, boolean exactPortAsked) {
        PcpResultCode rc = of(code);
        if (rc == null || rc == SUCCESS) {
            return Reason.PROTOCOL_ERROR;
        }
        if (rc == CANNOT_PROVIDE_EXTERNAL && !exactPortAsked) {
            // without PREFER_FAILURE the server may only send this when it has no external port at all
            return Reason.NO_RESOURCES;
        }
        return rc.reason;
    }

    /** A human explanation of a wire value, e.g. {@code "NOT_AUTHORIZED (2)"}. */
    static String describe(int code) {
        PcpResultCode rc = of(code);
        String text = rc == null ? "unknown result code " + code : rc.name() + " (" + code + ")";
        if (rc == ADDRESS_MISMATCH) {
            text += ": client address mismatch: behind another NAT?";
        }
        return text;
    }
}
