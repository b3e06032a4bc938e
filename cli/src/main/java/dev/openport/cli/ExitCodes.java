package dev.openport.cli;

import dev.openport.core.PortMappingException;

/** The exit codes, part of the CLI's contract (documented in --help and the README: {@link Catalog#EXIT_CODES}). */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_GATEWAY = 3;
    static final int TIMEOUT = 4;

    private ExitCodes() {
    }

    static int of(PortMappingException e) {
        return switch (e.reason()) {
            case GATEWAY_NOT_FOUND -> NO_GATEWAY;
            case TIMEOUT -> TIMEOUT;
            default -> FAILED;
        };
    }
}
