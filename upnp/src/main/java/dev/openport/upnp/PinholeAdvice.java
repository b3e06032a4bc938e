package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import java.net.InetAddress;

/**
 * Turns a refused AddPinhole into one line a person can act on. Routers refuse IPv6 pinholes for two
 * different reasons that need different fixes (WANIPv6FirewallControl:1 §2.4.1, §2.5.4; miniupnpd's
 * CheckStatus and PinholeVerification):
 * <ul>
 * <li>the router does not allow pinholes at all (702 FirewallDisabled, 703 InboundPinholeNotAllowed, or a 606
 *     while GetFirewallStatus says InboundPinholeAllowed = 0, as FRITZ!Box does until "allow independent port
 *     sharing" is enabled): a setting on the router;</li>
 * <li>606 while pinholes are allowed: the InternalClient is not the address the request came from (a
 *     temporary privacy or unique-local source address; miniupnp issues #600, #731): an address problem on
 *     this host.</li>
 * </ul>
 * Both are lasting refusals ({@link Reason#NOT_AUTHORIZED}): retrying will not help.
 */
final class PinholeAdvice {
    /** WANIPv6FirewallControl:1 §2.5.4: inbound pinholes are not allowed by the router's policy. */
    static final int INBOUND_PINHOLE_NOT_ALLOWED = 703;
    static final String NOT_ALLOWED = "the router does not allow IPv6 pinholes: enable inbound IPv6 connections for"
            + " UPnP (\"allow IPv6 pinholes\" / \"UPnP IPv6 firewall control\") in its settings";

    /** 702: the router's pinhole service is switched off (its IPv6 firewall may be off too: then none is needed). */
    static final String FIREWALL_DISABLED = "the router's IPv6 firewall control is disabled (UPnP error 702"
            + " FirewallDisabled): enable UPnP IPv6 firewall control in its settings; if its IPv6 firewall is off,"
            + " no pinhole is needed";

    /** Reads GetFirewallStatus. */
    @FunctionalInterface
    interface StatusReader {
        IgdClient.FirewallStatus read() throws PortMappingException;
    }

    private PinholeAdvice() {
    }

    /** The exception to throw for {@code refused}, an AddPinhole failure for {@code client}. */
    static PortMappingException explain(PortMappingException refused, StatusReader status, InetAddress client,
            InetAddress gateway) {
        int code = refused.protocolCode().orElse(0);
        if (code == INBOUND_PINHOLE_NOT_ALLOWED) {
            return refusal(NOT_ALLOWED + " (UPnP error 703)", code, gateway, refused);
        }
        if (code == UpnpErrors.PINHOLE_FIREWALL_DISABLED) {
            return refusal(FIREWALL_DISABLED, code, gateway, refused);
        }
        if (code != UpnpErrors.NOT_AUTHORIZED) {
            return refused;
        }
        IgdClient.FirewallStatus s = null;
        try {
            s = status.read();
        } catch (PortMappingException e) {
            refused.addSuppressed(e); // the 606 stays the answer
        }
        if (s != null && !s.inboundPinholeAllowed()) {
            return refusal(NOT_ALLOWED + " (UPnP error 606, InboundPinholeAllowed=0)", code, gateway, refused);
        }
        return refusal("the router refused the IPv6 pinhole for " + LanAddresses.text(client) + " (UPnP error 606):"
                + " it opens pinholes only for the address a request comes from; use this host's stable global"
                + " address (not a temporary privacy or unique-local one) as the source", code, gateway, refused);
    }

    private static PortMappingException refusal(String message, int code, InetAddress gateway,
            PortMappingException cause) {
        return new PortMappingException(Reason.NOT_AUTHORIZED, message, MappingProtocol.UPNP, gateway, code, cause);
    }
}
