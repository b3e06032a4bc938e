package dev.openport.upnp;

import java.net.URI;
import java.util.Objects;

/**
 * One service of a gateway we can control: a WAN connection (WANIPConnection:1/:2, WANPPPConnection:1/:2, also
 * in the TR-064 {@code dslforum} namespace) or an IPv6 firewall (WANIPv6FirewallControl:1).
 *
 * @param serviceType the service type exactly as announced (it goes back into the SOAPAction header)
 * @param controlUrl  the absolute control URL
 * @param scpdUrl     the absolute SCPD URL, or {@code null}
 */
record WanService(String serviceType, URI controlUrl, URI scpdUrl) {

    /** What a service is for. */
    enum Kind {
        IP_CONNECTION, PPP_CONNECTION, FIREWALL
    }

    WanService {
        Objects.requireNonNull(serviceType, "serviceType");
        Objects.requireNonNull(controlUrl, "controlUrl");
    }

    /** The kind of a service type, or {@code null} when we have no use for it. */
    static Kind kindOf(String type) {
        if (!type.startsWith("urn:schemas-upnp-org:service:") && !type.startsWith("urn:dslforum-org:service:")) {
            return null;
        }
        String rest = type.substring(type.indexOf(":service:") + 9);
        if (rest.startsWith("WANIPConnection:")) {
            return Kind.IP_CONNECTION;
        }
        if (rest.startsWith("WANPPPConnection:")) {
            return Kind.PPP_CONNECTION;
        }
        if (rest.startsWith("WANIPv6FirewallControl:")) {
            return Kind.FIREWALL;
        }
        return null;
    }

    Kind kind() {
        return kindOf(serviceType);
    }

    /** The service version (the number after the last colon), 1 when unreadable. */
    int version() {
        int colon = serviceType.lastIndexOf(':');
        try {
            return Math.max(1, Integer.parseInt(serviceType.substring(colon + 1).trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Whether AddAnyPortMapping exists (IGD:2 WANIPConnection:2, UPnP-gw-WANIPConnection-v2 §2.5.16). */
    boolean hasAddAny() {
        return kind() == Kind.IP_CONNECTION && version() >= 2;
    }

    /** This service with its control and SCPD URLs moved to another host (see {@link LanAddresses}). */
    WanService withUrls(URI control, URI scpd) {
        return new WanService(serviceType, control, scpd);
    }
}
