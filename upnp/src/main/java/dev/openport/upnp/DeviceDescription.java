package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.w3c.dom.Element;

/**
 * A parsed UPnP root device description (UPnP Device Architecture 1.1 §2.3): the WAN connection services and
 * IPv6 firewall services it offers, with their control URLs resolved. Pure: bytes in, record out.
 *
 * @param location    the URL the description was fetched from
 * @param friendlyName the root device's name (may be empty)
 * @param connections every WANIPConnection / WANPPPConnection service, the ones under WANDevice →
 *                    WANConnectionDevice first, in document order
 * @param firewalls   every WANIPv6FirewallControl service
 */
record DeviceDescription(URI location, String friendlyName, List<WanService> connections,
        List<WanService> firewalls) {

    /** The deepest device nesting walked (root → WANDevice → WANConnectionDevice is 3). */
    private static final int MAX_DEVICE_DEPTH = 8;
    /** More services than any router has: a bound on hostile descriptions. */
    private static final int MAX_SERVICES = 64;

    DeviceDescription {
        connections = List.copyOf(connections);
        firewalls = List.copyOf(firewalls);
    }

    /** Whether this is an internet gateway we can use. */
    boolean isGateway() {
        return !connections.isEmpty();
    }

    /**
     * Parses a description.
     *
     * @param location the URL it came from: relative URLs resolve against {@code URLBase}, else against this
     * @throws PortMappingException {@code PROTOCOL_ERROR} when it is not a well-formed device description
     */
    static DeviceDescription parse(byte[] xml, URI location) throws PortMappingException {
        Element root = SafeXml.parse(xml, "device description");
        if (!"root".equals(SafeXml.localName(root))) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    "device description: root element is <" + SafeXml.shorten(SafeXml.localName(root))
                            + ">, not <root>");
        }
        Element device = SafeXml.child(root, "device");
        if (device == null) {
            throw new PortMappingException(PortMappingException.Reason.PROTOCOL_ERROR,
                    "device description has no <device>");
        }
        URI base = baseUrl(SafeXml.childText(root, "URLBase"), location);
        List<WanService> preferred = new ArrayList<>();
        List<WanService> elsewhere = new ArrayList<>();
        List<WanService> firewalls = new ArrayList<>();
        walk(device, base, 0, false, preferred, elsewhere, firewalls);
        List<WanService> all = new ArrayList<>(preferred);
        all.addAll(elsewhere);
        String name = SafeXml.childText(device, "friendlyName");
        return new DeviceDescription(location, name == null ? "" : name, all, firewalls);
    }

    private static void walk(Element device, URI base, int depth, boolean inConnectionDevice,
            List<WanService> preferred, List<WanService> elsewhere, List<WanService> firewalls) {
        if (depth > MAX_DEVICE_DEPTH) {
            return;
        }
        String deviceType = text(SafeXml.childText(device, "deviceType"));
        boolean isConnectionDevice = deviceType.contains(":device:WANConnectionDevice:");
        Element serviceList = SafeXml.child(device, "serviceList");
        if (serviceList != null) {
            for (Element service : SafeXml.children(serviceList, "service")) {
                if (preferred.size() + elsewhere.size() + firewalls.size() >= MAX_SERVICES) {
                    return;
                }
                WanService s = service(service, base);
                if (s == null) {
                    continue;
                }
                if (s.kind() == WanService.Kind.FIREWALL) {
                    firewalls.add(s);
                } else if (isConnectionDevice || inConnectionDevice) {
                    preferred.add(s);
                } else {
                    elsewhere.add(s);
                }
            }
        }
        Element deviceList = SafeXml.child(device, "deviceList");
        if (deviceList != null) {
            for (Element child : SafeXml.children(deviceList, "device")) {
                walk(child, base, depth + 1, isConnectionDevice, preferred, elsewhere, firewalls);
            }
        }
    }

    private static WanService service(Element service, URI base) {
        String type = text(SafeXml.childText(service, "serviceType"));
        WanService.Kind kind = WanService.kindOf(type);
        if (kind == null) {
            return null;
        }
        URI control = resolve(base, SafeXml.childText(service, "controlURL"));
        if (control == null) {
            return null;
        }
        URI scpd = resolve(base, SafeXml.childText(service, "SCPDURL"));
        return new WanService(type, control, scpd);
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    /** URLBase when it is a usable absolute http URL (UDA 1.0; deprecated in 1.1 but still sent), else LOCATION. */
    static URI baseUrl(String urlBase, URI location) {
        if (urlBase != null && !urlBase.isEmpty()) {
            try {
                URI u = new URI(urlBase.trim());
                if (isHttp(u) && u.getHost() != null) {
                    return withPath(u);
                }
            } catch (URISyntaxException e) {
                // fall back to LOCATION, as UDA 1.1 says
            }
        }
        return withPath(location);
    }

    /** {@code http://host:port} resolves "x" to "http://host:portx" in java.net.URI: give it a "/" path. */
    private static URI withPath(URI u) {
        if (u.getRawPath() == null || u.getRawPath().isEmpty()) {
            try {
                return new URI(u.getScheme(), u.getRawAuthority(), "/", null, null);
            } catch (URISyntaxException e) {
                return u;
            }
        }
        return u;
    }

    /** Resolves a control or SCPD URL; {@code null} when it is missing, malformed or not http. */
    static URI resolve(URI base, String ref) {
        if (ref == null || ref.isBlank() || ref.length() > 2048) {
            return null;
        }
        try {
            URI r = new URI(ref.trim());
            URI u = r.isAbsolute() ? r : base.resolve(r);
            return isHttp(u) && u.getHost() != null ? u : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isHttp(URI u) {
        return u.getScheme() != null && "http".equals(u.getScheme().toLowerCase(Locale.ROOT));
    }
}
