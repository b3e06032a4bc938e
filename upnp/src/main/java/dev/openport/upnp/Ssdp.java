package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The SSDP codec (UPnP Device Architecture 1.1 §1.3): M-SEARCH requests out, search responses in. Pure.
 */
final class Ssdp {
    /** The SSDP multicast group and port (UDA 1.1 §1.1.2). */
    static final String MULTICAST_HOST = "239.255.255.250";
    static final int PORT = 1900;
    /** The link-local IPv6 SSDP group (UDA 1.1 §1.1.2). */
    static final String MULTICAST_HOST_V6 = "ff02::c";
    /**
     * The search targets sent, most specific first. Some gateways answer only their first device to
     * {@code ssdp:all}, others only a device type, others only a service type (docs/quirks.md).
     */
    static final List<String> SEARCH_TARGETS = List.of(
            "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
            "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
            "urn:schemas-upnp-org:service:WANIPConnection:1",
            "urn:schemas-upnp-org:service:WANIPConnection:2",
            "urn:schemas-upnp-org:service:WANPPPConnection:1",
            "ssdp:all");
    /** The longest header line kept; anything longer is cut (routers send long SERVER headers). */
    private static final int MAX_LINE = 2048;

    private Ssdp() {
    }

    /** A search response. Header values are trimmed; missing ones are empty. */
    record Answer(String location, String st, String usn, String server) {

        /** The device UDN from the USN ({@code uuid:...} before {@code ::}), or the whole USN. */
        String udn() {
            int sep = usn.indexOf("::");
            return sep < 0 ? usn : usn.substring(0, sep);
        }

        /** Whether the answer names an internet gateway device or one of its WAN devices or services. */
        boolean looksLikeGateway() {
            String s = (st + " " + usn).toLowerCase(Locale.ROOT);
            return s.contains("internetgatewaydevice") || s.contains("wanconnectiondevice")
                    || s.contains("wandevice") || s.contains("wanipconnection") || s.contains("wanpppconnection");
        }
    }

    /** An M-SEARCH request (UDA 1.1 §1.3.2); MX 1, the smallest a UPnP 1.1 device accepts. */
    static byte[] mSearch(String searchTarget) {
        String s = "M-SEARCH * HTTP/1.1\r\n"
                + "HOST: " + MULTICAST_HOST + ":" + PORT + "\r\n"
                + "MAN: \"ssdp:discover\"\r\n"
                + "MX: 1\r\n"
                + "ST: " + searchTarget + "\r\n"
                + "USER-AGENT: openport UPnP/1.1\r\n"
                + "\r\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a search response: a {@code HTTP/1.x 200} status line and headers, tolerant of a missing final
     * CRLF, bare LF line ends, no space after the colon and any header case.
     *
     * @throws PortMappingException {@code PROTOCOL_ERROR} when it is not a 200 response with a LOCATION
     */
    static Answer parse(byte[] data, int offset, int length) throws PortMappingException {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw error("bad datagram bounds");
        }
        String text = new String(data, offset, length, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", 128);
        String status = lines[0].trim();
        if (!status.regionMatches(true, 0, "HTTP/1.", 0, 7)) {
            throw error("not an SSDP search response: " + SafeXml.shorten(status));
        }
        String[] parts = status.split("\\s+");
        if (parts.length < 2 || !parts[1].equals("200")) {
            throw error("SSDP response status is not 200: " + SafeXml.shorten(status));
        }
        String location = "";
        String st = "";
        String usn = "";
        String server = "";
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].length() > MAX_LINE ? lines[i].substring(0, MAX_LINE) : lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "LOCATION" -> location = location.isEmpty() ? value : location;
                case "ST" -> st = st.isEmpty() ? value : st;
                case "USN" -> usn = usn.isEmpty() ? value : usn;
                case "SERVER" -> server = server.isEmpty() ? value : server;
                default -> {
                    // CACHE-CONTROL, EXT, BOOTID.UPNP.ORG...: not needed to find a gateway
                }
            }
        }
        if (location.isEmpty()) {
            throw error("SSDP response without LOCATION");
        }
        return new Answer(location, st, usn, server);
    }

    private static PortMappingException error(String message) {
        return new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR, message);
    }
}
