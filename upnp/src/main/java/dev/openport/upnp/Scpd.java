package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import org.w3c.dom.Element;

/**
 * What we need from a service's SCPD (UPnP Device Architecture 1.1 §2.5): the allowed range of
 * {@code PortMappingLeaseDuration}, which some routers enforce with 402 Invalid Args. Pure.
 */
final class Scpd {
    private Scpd() {
    }

    /**
     * The largest lease the SCPD allows, in seconds; -1 when it gives no range (or no usable one).
     *
     * @throws PortMappingException {@code PROTOCOL_ERROR} when the SCPD is not well-formed XML
     */
    static long maxLeaseSeconds(byte[] xml) throws PortMappingException {
        Element root = SafeXml.parse(xml, "SCPD");
        Element table = SafeXml.find(root, "serviceStateTable");
        if (table == null) {
            return -1;
        }
        for (Element var : SafeXml.children(table, "stateVariable")) {
            if (!"PortMappingLeaseDuration".equals(SafeXml.childText(var, "name"))) {
                continue;
            }
            Element range = SafeXml.child(var, "allowedValueRange");
            String max = range == null ? null : SafeXml.childText(range, "maximum");
            if (max == null) {
                return -1;
            }
            try {
                long v = Long.parseLong(max.trim());
                return v > 0 ? v : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }
}
