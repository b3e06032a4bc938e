package dev.openport.upnp;

/**
 * The fake IGD's XML documents: the device description and the WANIPConnection SCPD, shaped by the
 * {@link FakeIgd} switches (IGD version, control URL, a second connection device that is down, the IPv6
 * firewall service, the lease range). Written with string concatenation, independently of the production
 * parser, so the two check each other.
 */
final class FakeIgdDocuments {
    static final String FIREWALL = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

    private final FakeIgd igd;

    FakeIgdDocuments(FakeIgd igd) {
        this.igd = igd;
    }

    String description() {
        String v = igd.igd2 ? "2" : "1";
        return "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major>"
                + "<minor>1</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:"
                + v + "</deviceType><friendlyName>fake IGD</friendlyName><UDN>uuid:fake-igd-0001</UDN><deviceList>"
                + "<device><deviceType>urn:schemas-upnp-org:device:WANDevice:" + v + "</deviceType>"
                + "<UDN>uuid:fake-igd-0002</UDN><deviceList><device><deviceType>"
                + "urn:schemas-upnp-org:device:WANConnectionDevice:" + v
                + "</deviceType><UDN>uuid:fake-igd-0003</UDN>" + downDevice()
                + "<serviceList><service><serviceType>" + igd.serviceType()
                + "</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml"
                + "</SCPDURL><controlURL>" + igd.controlPath + "</controlURL><eventSubURL>/evt/IPConn</eventSubURL>"
                + "</service>"
                + firewallService() + "</serviceList></device></deviceList></device></deviceList></device></root>";
    }

    private String firewallService() {
        return igd.ipv6Firewall ? "<service><serviceType>" + FIREWALL + "</serviceType><controlURL>/ctl/IP6FCtl"
                + "</controlURL></service>" : "";
    }

    /** Closes the first WANConnectionDevice and opens a second, so the down one comes first in document order. */
    private String downDevice() {
        if (!igd.twoConnectionDevicesFirstDown) {
            return "";
        }
        return "<serviceList><service><serviceType>" + igd.serviceType() + "</serviceType><controlURL>/ctl/Down"
                + "</controlURL></service></serviceList></device><device><deviceType>"
                + "urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><UDN>uuid:fake-igd-0004</UDN>";
    }

    String scpd() {
        String range = igd.leaseMax > 0 ? "<allowedValueRange><minimum>0</minimum><maximum>" + igd.leaseMax
                + "</maximum></allowedValueRange>" : "";
        return "<?xml version=\"1.0\"?><scpd xmlns=\"urn:schemas-upnp-org:service-1-0\"><serviceStateTable>"
                + "<stateVariable sendEvents=\"no\"><name>PortMappingLeaseDuration</name><dataType>ui4</dataType>"
                + range + "</stateVariable></serviceStateTable></scpd>";
    }
}
