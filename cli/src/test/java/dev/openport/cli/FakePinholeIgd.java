package dev.openport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A UPnP IGD on [::1] with WANIPv6FirewallControl:1 (UPnP-gw-WANIPv6FirewallControl-v1 §2.5): real HTTP and SOAP
 * bytes over loopback. It knows the pinhole IDs in {@link #pinholes}; GetPinholePackets answers for those and
 * 704 NoSuchEntry for any other. Every action it is asked is recorded in {@link #actions}.
 */
final class FakePinholeIgd implements AutoCloseable {
    static final String WANIP = "urn:schemas-upnp-org:service:WANIPConnection:2";
    static final String FIREWALL = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

    final Set<Integer> pinholes = ConcurrentHashMap.newKeySet();
    final List<String> actions = new CopyOnWriteArrayList<>();
    private final ServerSocket server;

    FakePinholeIgd() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0), 16);
        Thread t = new Thread(this::serve, "fake-pinhole-igd");
        t.setDaemon(true);
        t.start();
    }

    String location() {
        return "http://[::1]:" + server.getLocalPort() + "/rootDesc.xml";
    }

    String controlUrl() {
        return "http://[::1]:" + server.getLocalPort() + "/ctl/IP6FCtl";
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(2000);
                answer(s);
            } catch (IOException | RuntimeException e) {
                // next client
            }
        }
    }

    private String description() {
        return "<?xml version=\"1.0\"?><root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major>"
                + "<minor>0</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:"
                + "InternetGatewayDevice:2</deviceType><friendlyName>pinholes</friendlyName><UDN>uuid:fake-ph-1</UDN>"
                + "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType><UDN>"
                + "uuid:fake-ph-2</UDN><deviceList><device><deviceType>urn:schemas-upnp-org:device:"
                + "WANConnectionDevice:2</deviceType><UDN>uuid:fake-ph-3</UDN><serviceList><service><serviceType>"
                + WANIP + "</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>"
                + "/WANIPCn.xml</SCPDURL><controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL>"
                + "</service><service><serviceType>" + FIREWALL + "</serviceType><serviceId>urn:upnp-org:serviceId:"
                + "WANIP6FC1</serviceId><SCPDURL>/WANIP6FC.xml</SCPDURL><controlURL>/ctl/IP6FCtl</controlURL>"
                + "<eventSubURL>/evt/IP6FC</eventSubURL></service></serviceList></device></deviceList></device>"
                + "</deviceList></device></root>";
    }

    private void answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String head = readHead(in);
        int length = 0;
        String action = "";
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Math.min(Integer.parseInt(line.substring(15).trim()), 64 * 1024);
            } else if (lower.startsWith("soapaction:")) {
                action = line.substring(line.indexOf('#') + 1).replace("\"", "").trim();
            }
        }
        String request = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        int status = 200;
        String body = "";
        if (head.startsWith("GET /rootDesc.xml")) {
            body = description();
        } else if (head.startsWith("POST /ctl/")) {
            actions.add(action);
            String service = head.startsWith("POST /ctl/IP6FCtl") ? FIREWALL : WANIP;
            String out = switch (action) {
                case "GetExternalIPAddress" -> "<NewExternalIPAddress>203.0.113.1</NewExternalIPAddress>";
                case "GetFirewallStatus" -> "<FirewallEnabled>1</FirewallEnabled>"
                        + "<InboundPinholeAllowed>1</InboundPinholeAllowed>";
                case "GetPinholePackets" -> pinholes.contains(Integer.parseInt(value(request, "UniqueID")))
                        ? "<PinholePackets>0</PinholePackets>" : null;
                default -> null;
            };
            if (out == null) {
                status = 500;
                int code = action.equals("GetPinholePackets") ? 704 : 401;
                body = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                        + "<s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>"
                        + "<detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" + code
                        + "</errorCode><errorDescription>NoSuchEntry</errorDescription></UPnPError></detail>"
                        + "</s:Fault></s:Body></s:Envelope>";
            } else {
                body = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                        + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action
                        + "Response xmlns:u=\"" + service + "\">" + out + "</u:" + action + "Response></s:Body>"
                        + "</s:Envelope>";
            }
        } else {
            status = 404;
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        String reason = status == 200 ? " OK" : status == 404 ? " Not Found" : " Internal Server Error";
        out.write(("HTTP/1.1 " + status + reason + "\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n"
                + "Connection: close\r\nContent-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && sb.length() < 16 * 1024) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    private static String value(String xml, String element) {
        int a = xml.indexOf("<" + element + ">");
        int b = xml.indexOf("</" + element + ">");
        return a < 0 || b < a ? "" : xml.substring(a + element.length() + 2, b).trim();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
