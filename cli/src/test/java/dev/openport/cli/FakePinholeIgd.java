package dev.openport.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
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
        Training.Igd.Request r = Training.Igd.Request.read(s.getInputStream());
        int status = 200;
        String body = "";
        if (r.head().startsWith("GET /rootDesc.xml")) {
            body = description();
        } else if (r.head().startsWith("POST /ctl/")) {
            actions.add(r.action());
            String service = r.head().startsWith("POST /ctl/IP6FCtl") ? FIREWALL : WANIP;
            String out = switch (r.action()) {
                case "GetExternalIPAddress" -> "<NewExternalIPAddress>203.0.113.1</NewExternalIPAddress>";
                case "GetFirewallStatus" -> "<FirewallEnabled>1</FirewallEnabled>"
                        + "<InboundPinholeAllowed>1</InboundPinholeAllowed>";
                case "GetPinholePackets" -> pinholes.contains(Integer.parseInt(Training.Igd.value(r.body(),
                        "UniqueID"))) ? "<PinholePackets>0</PinholePackets>" : null;
                default -> null;
            };
            status = out == null ? 500 : 200;
            // 704 NoSuchEntry (WANIPv6FirewallControl:1 §2.5.6) for an unknown pinhole, 401 for other actions
            body = out == null ? Training.Igd.soapFault(r.action().equals("GetPinholePackets") ? 704 : 401,
                    "NoSuchEntry") : Training.Igd.soapOk(r.action(), service, out);
        } else {
            status = 404;
        }
        Training.Igd.respond(s.getOutputStream(), status, body);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
