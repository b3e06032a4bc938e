package dev.openport.cli;

import dev.openport.core.PortMappingException;

/** One line per failure that says what to do about it. */
final class Hints {
    private static final String ROUTER_QUESTION = "enabled on your router?";
    /** Appended by map --internal-address; replaces the generic hint. */
    static final String OTHER_HOST = "many routers (secure mode) refuse mappings for a host other than the one"
            + " asking: run openport on that host";

    private Hints() {
    }

    static String explain(PortMappingException e, int verbosity) {
        String m = Main.oneLine(e.getMessage());
        if (verbosity == 0) {
            // core lists every protocol's failure after the question; -v shows them
            int q = m.indexOf(ROUTER_QUESTION);
            if (q >= 0) {
                m = m.substring(0, q + ROUTER_QUESTION.length());
            }
        }
        if (m.contains(OTHER_HOST)) {
            return m;
        }
        String hint = switch (e.reason()) {
            case CONFLICT -> "the external port is taken: try another with --external-port";
            case NOT_AUTHORIZED -> "many routers allow only ports 1024-65535, and only for the asking host";
            case NO_RESOURCES -> "the router's mapping table is full: remove old mappings (openport list)";
            case TIMEOUT -> "the gateway stopped answering: try again, or raise --timeout";
            case NETWORK_FAILURE -> "the router has no working internet connection right now";
            case UNSUPPORTED -> "try another protocol with --protocol";
            case PROTOCOL_ERROR -> "the router sent something we did not understand; -vv shows details";
            case GATEWAY_NOT_FOUND -> m.contains("?") || m.contains("--gateway") ? null
                    : "is UPnP/NAT-PMP enabled on your router?";
        };
        return hint == null ? m : m + " — " + hint;
    }
}
