package dev.openport.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The training run for the launcher's class-data archive ({@code java -cp openport.jar dev.openport.cli.Training}):
 * runs the commands users run — help, version, map, list, external-ip, unmap over NAT-PMP and over UPnP (with and
 * without an SSDP search) — in this JVM against fake gateways on 127.0.0.1, so the archive holds the classes of
 * the real paths. Nothing leaves the host: every address is loopback, and multicast is off for a loopback gateway.
 */
final class Training {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Training() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("openport-training");
        // --show: print what each command printed (to see that the paths really ran)
        PrintStream sink = args.length > 0 && args[0].equals("--show") ? System.out
                : new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try (NatPmp natpmp = new NatPmp(); Igd igd = new Igd(); Ssdp ssdp = new Ssdp(igd.port())) {
            String state = dir.resolve("mappings.json").toString();
            String[] common = {"--gateway", "127.0.0.1", "--timeout", "1s", "--state-file", state,
                "--natpmp-port", String.valueOf(natpmp.port()), "--pcp-port", String.valueOf(natpmp.port()),
                "--ssdp-port", String.valueOf(ssdp.port())};
            run(sink, "--version");
            run(sink, "--help");
            run(sink, "map", "--help");
            run(sink, "help", "unmap");
            run(sink, "map", "frobnicate");
            for (String protocol : new String[] {"natpmp", "upnp", "auto"}) {
                for (String[] cmd : new String[][] {
                    {"map", "40001/tcp"}, {"map", "40002/udp", "--json"}, {"list"}, {"external-ip"},
                    {"unmap", "40001/tcp"}, {"unmap", "--all-mine", "--json"}}) {
                    run(sink, concat(concat(cmd, common), "--protocol", protocol));
                }
            }
            run(sink, concat(new String[] {"map", "40003", "--no-cache", "--protocol", "upnp"}, common));
            run(sink, concat(new String[] {"unmap", "40003"}, common));
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    private static void run(PrintStream sink, String... args) {
        int code = Main.run(args, sink, sink, false);
        if (sink == System.out) {
            System.out.println("^ exit " + code + ": " + String.join(" ", args));
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A NAT-PMP gateway (RFC 6886 §3.2, §3.3) on loopback that grants what is asked; PCP requests get no answer. */
    static final class NatPmp implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, LOOPBACK);
        private final Thread thread = new Thread(this::serve, "openport-training-natpmp");

        NatPmp() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            byte[] buf = new byte[1100];
            long start = System.nanoTime();
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    ByteBuffer in = ByteBuffer.wrap(p.getData(), 0, p.getLength());
                    if (p.getLength() < 2 || in.get(0) != 0) {
                        continue; // PCP (version 2) or garbage: silence
                    }
                    int op = in.get(1) & 0xff;
                    int epoch = (int) ((System.nanoTime() - start) / 1_000_000_000L) + 1000;
                    ByteBuffer out;
                    if (op == 0) {
                        out = ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) 0).putInt(epoch)
                                .put(new byte[] {(byte) 203, 0, 113, 1});
                    } else if ((op == 1 || op == 2) && p.getLength() >= 12) {
                        int internal = in.getShort(4) & 0xffff;
                        int external = in.getShort(6) & 0xffff;
                        int life = in.getInt(8);
                        out = ByteBuffer.allocate(16).put((byte) 0).put((byte) (128 + op)).putShort((short) 0)
                                .putInt(epoch).putShort((short) internal)
                                .putShort((short) (life == 0 ? 0 : external == 0 ? internal : external)).putInt(life);
                    } else {
                        continue;
                    }
                    socket.send(new DatagramPacket(out.array(), out.position(), p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Answers an M-SEARCH on loopback with the fake IGD's LOCATION. */
    static final class Ssdp implements AutoCloseable {
        private final DatagramSocket socket;
        private final int httpPort;

        Ssdp(int httpPort) throws IOException {
            this(httpPort, 0);
        }

        /** On a given port (0: any), answering with the LOCATION of the IGD on {@code httpPort}. */
        Ssdp(int httpPort, int port) throws IOException {
            this.socket = new DatagramSocket(port, LOOPBACK);
            this.httpPort = httpPort;
            Thread t = new Thread(this::serve, "openport-training-ssdp");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            byte[] buf = new byte[2048];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    String req = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                    if (!req.startsWith("M-SEARCH")) {
                        continue;
                    }
                    byte[] answer = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nEXT:\r\n"
                            + "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
                            + "USN: uuid:00000000-0000-4000-8000-000000000001::"
                            + "urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
                            + "LOCATION: http://127.0.0.1:" + httpPort + "/rootDesc.xml\r\n"
                            + "SERVER: openport-training UPnP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** An IGD:1 with one WANIPConnection on loopback HTTP that accepts every mapping and lists one. */
    static final class Igd implements AutoCloseable {
        private static final String WANIP = "urn:schemas-upnp-org:service:WANIPConnection:1";
        private static final String DESCRIPTION = "<?xml version=\"1.0\"?>"
                + "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major><minor>0</minor>"
                + "</specVersion><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1"
                + "</deviceType><friendlyName>training</friendlyName>"
                + "<UDN>uuid:00000000-0000-4000-8000-000000000001</UDN><deviceList><device><deviceType>"
                + "urn:schemas-upnp-org:device:WANDevice:1</deviceType><UDN>uuid:00000000-0000-4000-8000-000000000002"
                + "</UDN><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1"
                + "</deviceType><UDN>uuid:00000000-0000-4000-8000-000000000003</UDN><serviceList><service>"
                + "<serviceType>" + WANIP + "</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>"
                + "<SCPDURL>/WANIPCn.xml</SCPDURL><controlURL>/ctl/IPConn</controlURL>"
                + "<eventSubURL>/evt/IPConn</eventSubURL></service></serviceList></device></deviceList></device>"
                + "</deviceList></device></root>";

        private final ServerSocket server = new ServerSocket(0, 16, LOOPBACK);

        Igd() throws IOException {
            Thread t = new Thread(this::serve, "openport-training-igd");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(2000);
                    answer(s);
                } catch (IOException e) {
                    if (server.isClosed()) {
                        return;
                    }
                }
            }
        }

        private static void answer(Socket s) throws IOException {
            Request r = Request.read(s.getInputStream());
            int status = 200;
            String body;
            if (r.head().startsWith("GET /rootDesc.xml")) {
                body = DESCRIPTION;
            } else if (r.head().startsWith("POST /ctl/IPConn")) {
                String out = switch (r.action()) {
                    case "GetExternalIPAddress" -> "<NewExternalIPAddress>203.0.113.1</NewExternalIPAddress>";
                    case "AddPortMapping", "DeletePortMapping" -> "";
                    case "GetSpecificPortMappingEntry" -> "<NewInternalPort>" + value(r.body(), "NewExternalPort")
                            + "</NewInternalPort><NewInternalClient>127.0.0.1</NewInternalClient><NewEnabled>1"
                            + "</NewEnabled><NewPortMappingDescription>openport</NewPortMappingDescription>"
                            + "<NewLeaseDuration>7200</NewLeaseDuration>";
                    case "GetGenericPortMappingEntry" -> value(r.body(), "NewPortMappingIndex").equals("0")
                            ? "<NewRemoteHost></NewRemoteHost><NewExternalPort>40001</NewExternalPort><NewProtocol>"
                                    + "TCP</NewProtocol><NewInternalPort>40001</NewInternalPort><NewInternalClient>"
                                    + "127.0.0.1</NewInternalClient><NewEnabled>1</NewEnabled>"
                                    + "<NewPortMappingDescription>openport</NewPortMappingDescription>"
                                    + "<NewLeaseDuration>7200</NewLeaseDuration>"
                            : null;
                    default -> null;
                };
                status = out == null ? 500 : 200;
                body = out == null ? soapFault(713, "SpecifiedArrayIndexInvalid") : soapOk(r.action(), WANIP, out);
            } else {
                status = 404;
                body = "";
            }
            respond(s.getOutputStream(), status, body);
        }

        /** One HTTP request as the fakes read it (bounded): its head, SOAP action ("" if none) and body. */
        record Request(String head, String action, String body) {
            static Request read(InputStream in) throws IOException {
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
                return new Request(head, action, new String(in.readNBytes(length), StandardCharsets.UTF_8));
            }
        }

        /** A SOAP answer to {@code action} of {@code service} carrying the {@code out} elements. */
        static String soapOk(String action, String service, String out) {
            return "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                    + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action
                    + "Response xmlns:u=\"" + service + "\">" + out + "</u:" + action + "Response></s:Body>"
                    + "</s:Envelope>";
        }

        /** A UPnPError fault (sent with HTTP 500). */
        static String soapFault(int code, String description) {
            return "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                    + "<s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>"
                    + "<detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" + code
                    + "</errorCode><errorDescription>" + description + "</errorDescription></UPnPError>"
                    + "</detail></s:Fault></s:Body></s:Envelope>";
        }

        /** Writes the whole answer and leaves the connection to be closed (Connection: close). */
        static void respond(OutputStream out, int status, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            String reason = status == 200 ? " OK" : status == 404 ? " Not Found" : " Internal Server Error";
            out.write(("HTTP/1.1 " + status + reason + "\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n"
                    + "Connection: close\r\nContent-Length: " + b.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
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

        static String value(String xml, String element) {
            int a = xml.indexOf("<" + element + ">");
            int b = xml.indexOf("</" + element + ">");
            return a < 0 || b < a ? "" : xml.substring(a + element.length() + 2, b).trim();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
