package dev.openport.cli;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import java.util.EnumSet;
import java.util.Set;

/**
 * One line per failure that says what to do about it, built from the exception's structure (reason, failure,
 * per-protocol attempts) — never by searching its message text.
 */
final class Hints {
    /** What map --internal-address adds when a router refuses a mapping for another host. */
    static final String OTHER_HOST = "many routers (secure mode) refuse mappings for a host other than the one"
            + " asking: run openport on that host";
    private static final String ROUTER_QUESTION = "is UPnP/NAT-PMP enabled on your router?";

    private Hints() {
    }

    /** A refusal of a mapping for another LAN host: the message says why, and that is the hint. */
    static final class ForOtherHost extends PortMappingException {
        private static final long serialVersionUID = 1L;

        ForOtherHost(PortMappingException e) {
            super(e.reason(), Main.oneLine(e.getMessage()) + " — " + OTHER_HOST, e);
        }
    }

    static String explain(PortMappingException e, int verbosity) {
        String m = Main.oneLine(e.getMessage());
        if (e instanceof ForOtherHost) {
            return m;
        }
        PortMappingException.Failure failure = e.failure().orElse(null);
        if (failure instanceof PortMappingException.GatewayNeeded g) {
            return (g.device() == null ? "there is no default route"
                    : "the default route (dev " + g.device() + ") has no gateway address, as on a VPN tunnel")
                    + ": name the gateway with --gateway ADDRESS";
        }
        if (failure instanceof PortMappingException.NoProtocolModule) {
            return m; // a class-path problem of a custom build, not the router's
        }
        boolean probed = e.reason() == PortMappingException.Reason.GATEWAY_NOT_FOUND && !e.attempts().isEmpty();
        if (probed && verbosity == 0 && e.gateway() != null) {
            // every protocol's own answer is in the message; -v shows them, the summary names what was tried
            Set<MappingProtocol> tried = EnumSet.noneOf(MappingProtocol.class);
            e.attempts().stream().filter(a -> a.protocol() != null).forEach(a -> tried.add(a.protocol()));
            StringBuilder names = new StringBuilder();
            tried.forEach(p -> names.append(names.length() == 0 ? "" : ", ").append(p.displayName()));
            return "no gateway answered on " + e.gateway().getHostAddress() + " (tried " + names + ") — "
                    + ROUTER_QUESTION;
        }
        String hint = switch (e.reason()) {
            case CONFLICT -> "the external port is taken: try another with --external-port";
            case NOT_AUTHORIZED -> "many routers allow only ports 1024-65535, and only for the asking host";
            case NO_RESOURCES -> "the router's mapping table is full: remove old mappings (openport list)";
            case TIMEOUT -> "the gateway stopped answering: try again, or raise --timeout";
            case NETWORK_FAILURE -> "the router has no working internet connection right now";
            case UNSUPPORTED -> "try another protocol with --protocol";
            case PROTOCOL_ERROR -> "the router sent something we did not understand; -vv shows details";
            case GATEWAY_NOT_FOUND -> probed ? null : ROUTER_QUESTION; // a probe's message already asks it
        };
        return hint == null ? m : m + " — " + hint;
    }
}
