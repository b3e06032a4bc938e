package dev.openport.pcp;

/**
 * Bytes that are not a well-formed PCP message. {@link #resultCode()} is the code a server would answer with
 * (§7.4: MALFORMED_REQUEST, UNSUPP_OPTION or MALFORMED_OPTION).
 */
final class PcpFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int resultCode;

    PcpFormatException(PcpResultCode resultCode, String message) {
        super(message);
        this.resultCode = resultCode.code();
    }

    int resultCode() {
        return resultCode;
    }
}
