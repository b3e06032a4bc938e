package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;

/**
 * UPnP error codes (UDA 1.1 §3.2.2 Table 3-3; UPnP-gw-WANIPConnection-v2 §2.5; WANIPv6FirewallControl:1 §2.4)
 * and what a caller can do about each.
 */
final class UpnpErrors {
    static final int INVALID_ACTION = 401;
    static final int INVALID_ARGS = 402;
    static final int ACTION_FAILED = 501;
    static final int NOT_AUTHORIZED = 606;
    /** WANIPv6FirewallControl: the firewall is disabled or does not allow inbound pinholes. */
    static final int PINHOLE_FIREWALL_DISABLED = 702;
    static final int PINHOLE_NO_SUCH_ENTRY = 704;
    static final int PINHOLE_NO_PACKET_SENT = 709;
    static final int ARRAY_INDEX_INVALID = 713;
    static final int NO_SUCH_ENTRY = 714;
    static final int WILDCARD_NOT_PERMITTED_IN_SRC_IP = 715;
    static final int WILDCARD_NOT_PERMITTED_IN_EXT_PORT = 716;
    static final int CONFLICT_IN_MAPPING_ENTRY = 718;
    static final int SAME_PORT_VALUES_REQUIRED = 724;
    static final int ONLY_PERMANENT_LEASES = 725;
    static final int REMOTE_HOST_ONLY_WILDCARD = 726;
    static final int EXTERNAL_PORT_ONLY_WILDCARD = 727;
    static final int NO_PORT_MAPS_AVAILABLE = 728;
    static final int CONFLICT_WITH_OTHER_MECHANISMS = 729;
    static final int WILDCARD_NOT_PERMITTED_IN_INT_PORT = 732;

    private UpnpErrors() {
    }

    /**
     * What a caller can do about {@code code} answered to {@code action}. 606 is a lasting refusal
     * ({@code NOT_AUTHORIZED}); 501 ActionFailed on an Add is one too ({@code UNSUPPORTED}: half-open routers
     * answer every AddPortMapping with it), on any other action it says nothing lasting. 728 (table full) and
     * 718 stay transient. Core's protocol fallback keys on exactly these reasons.
     */
    static Reason reasonOf(String action, int code) {
        if (code == ACTION_FAILED && !isAdd(action)) {
            return Reason.PROTOCOL_ERROR;
        }
        return reasonOf(code);
    }

    static boolean isAdd(String action) {
        return "AddPortMapping".equals(action) || "AddAnyPortMapping".equals(action);
    }

    private static Reason reasonOf(int code) {
        return switch (code) {
            case CONFLICT_IN_MAPPING_ENTRY, CONFLICT_WITH_OTHER_MECHANISMS -> Reason.CONFLICT;
            case NOT_AUTHORIZED -> Reason.NOT_AUTHORIZED;
            case NO_PORT_MAPS_AVAILABLE -> Reason.NO_RESOURCES;
            case ONLY_PERMANENT_LEASES, SAME_PORT_VALUES_REQUIRED, REMOTE_HOST_ONLY_WILDCARD,
                    EXTERNAL_PORT_ONLY_WILDCARD, WILDCARD_NOT_PERMITTED_IN_EXT_PORT, WILDCARD_NOT_PERMITTED_IN_SRC_IP,
                    WILDCARD_NOT_PERMITTED_IN_INT_PORT, ACTION_FAILED, INVALID_ACTION, PINHOLE_FIREWALL_DISABLED ->
                    Reason.UNSUPPORTED;
            default -> Reason.PROTOCOL_ERROR;
        };
    }

    static PortMappingException toException(String action, int code, String description, InetAddress gateway) {
        String what = action + " failed: UPnP error " + code + (description == null || description.isEmpty() ? ""
                : " " + SafeXml.shorten(description));
        return new PortMappingException(reasonOf(action, code), what, MappingProtocol.UPNP, gateway, code, null);
    }
}
