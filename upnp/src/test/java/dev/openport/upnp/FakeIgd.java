package dev.openport.upnp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process Internet Gateway Device on loopback: an SSDP responder (a "unicast" socket and, optionally, a
 * second socket standing in for the multicast group) and an HTTP server with the description, SCPD and SOAP
 * control, backed by a real mapping table. Quirks are switched on per test. Written independently of the
 * production parser (regular expressions), so the two check each other.
 */
final class FakeIgd implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A mapping the fake holds. */
    record Entry(int externalPort, String protocol, int internalPort, String client, String description,
            long lease, boolean enabled) {
    }

    /** A SOAP request the fake received. */
    record Request(String action, String serviceType, Map<String, String> args) {
    }

    // --- configuration (set before use; volatile because the server threads read them) ---
    volatile boolean igd2;
    volatile boolean answerUnicast = true;
    volatile boolean answerMulticast = true;
    /** Answer SSDP from a socket other than the one asked (a port other than 1900). */
    volatile boolean answerFromOtherPort;
    /** Answer only ssdp:all, and only with the root device (upnp:rootdevice), as some gateways do. */
    volatile boolean onlyRootDeviceToSsdpAll;
    /** LOCATION to announce instead of our own, e.g. a public address (SSRF) or [::1]. */
    volatile String locationOverride;
    /** 725 OnlyPermanentLeasesSupported on any non-zero lease (MikroTik). */
    volatile boolean only725Permanent;
    /** 402 Invalid Args on any non-zero lease (ARRIS). */
    volatile boolean invalidArgsOnLease;
    /** 402 on a lease above this; 0 = no limit. The SCPD announces it as the allowedValueRange maximum. */
    volatile long leaseMax;
    /** 724 SamePortValuesRequired. */
    volatile boolean samePortRequired;
    /** 718 for a re-add of an existing entry, even our own (some firmware). */
    volatile boolean conflictOnReAdd;
    /** Listed-but-not-forwarding firmware: an AddPortMapping over an existing entry "succeeds" but changes nothing. */
    volatile boolean ignoreReAdd;
    /**
     * Two WANConnectionDevices, the first one down (GetStatusInfo Disconnected, private external address), at
     * control URL /ctl/Down; the working one stays at /ctl/IPConn.
     */
    volatile boolean twoConnectionDevicesFirstDown;
    /** Where the WAN connection service is controlled; anything else answers 404. */
    volatile String controlPath = "/ctl/IPConn";
    /** Offer WANIPv6FirewallControl:1 at /ctl/IP6FCtl. */
    volatile boolean ipv6Firewall;
    /** Pinholes by UniqueID. */
    final Map<Integer, Map<String, String>> pinholes = new ConcurrentHashMap<>();
    private final AtomicInteger nextPinhole = new AtomicInteger(1);
    /** Replaces the description handler (attacks). */
    volatile Function<OutputStream, Boolean> descriptionOverride;
    /** The description body to serve instead of the generated one. */
    volatile byte[] descriptionBody;

    /** What GetExternalIPAddress answers ("0.0.0.0" while a PPPoE WAN is down; a new one after renumbering). */
    volatile String externalAddress = "203.0.113.1";
    /** miniupnpd's secure mode: an entry may be deleted only from its own internal client's address (606). */
    volatile boolean secureMode;
    /** Raw HTTP answers (bytes a router sent) queued per action, served once each before the table is asked. */
    private final Map<String, java.util.Deque<byte[]>> canned = new ConcurrentHashMap<>();
    /** An error code answered to every request of an action (a router that always refuses it). */
    final Map<String, Integer> alwaysFault = new ConcurrentHashMap<>();

    final Map<String, Entry> table = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<String> rawSoap = new CopyOnWriteArrayList<>();
    final AtomicInteger ssdpQueries = new AtomicInteger();
    final AtomicInteger descriptionFetches = new AtomicInteger();

    private final DatagramSocket ssdp;
    private final DatagramSocket multicastStandIn;
    private final DatagramSocket otherPort;
    private volatile ServerSocket http;
    /** The thread accepting on {@link #http}. */
    private volatile Thread acceptor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Map<Socket, Boolean> open = new ConcurrentHashMap<>();
    private volatile boolean closed;

    FakeIgd() throws IOException {
        ssdp = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        multicastStandIn = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        otherPort = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        http = new ServerSocket(0, 50, LOOPBACK);
        start("openport-test-fake-ssdp", () -> ssdpLoop(ssdp, true));
        start("openport-test-fake-ssdp-mc", () -> ssdpLoop(multicastStandIn, false));
        startHttp(http);
    }

    int ssdpPort() {
        return ssdp.getLocalPort();
    }

    InetSocketAddress multicastStandIn() {
        return new InetSocketAddress(LOOPBACK, multicastStandIn.getLocalPort());
    }

    int httpPort() {
        return http.getLocalPort();
    }

    URI location() {
        return URI.create("http://127.0.0.1:" + httpPort() + "/rootDesc.xml");
    }

    String serviceType() {
        return "urn:schemas-upnp-org:service:WANIPConnection:" + (igd2 ? 2 : 1);
    }

    /** A router reboot onto a new HTTP port: the old control URL is refused from now on. */
    void restartOnNewHttpPort() throws IOException {
        ServerSocket old = http;
        Thread oldAcceptor = acceptor;
        http = new ServerSocket(0, 50, LOOPBACK);
        old.close();
        // the JDK closes a socket blocked in accept() only once that thread has left accept(): until then the
        // old port still takes connections (a loaded machine made the rediscovery test flaky), so wait for it
        try {
            oldAcceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        startHttp(http);
        table.clear();
    }

    /** Answers the next {@code action} with these raw HTTP response bytes (status line, headers, body). */
    void answerNext(String action, byte[] rawHttp) {
        canned.computeIfAbsent(action, k -> new java.util.concurrent.ConcurrentLinkedDeque<>()).add(rawHttp);
    }

    /** Answers the next {@code action} with HTTP 500 and this SOAP body (a router's fault body). */
    void faultNext(String action, byte[] body) {
        String head = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n"
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        answerNext(action, all);
    }

    /** The actions received, in order. */
    List<String> actions() {
        List<String> out = new ArrayList<>();
        for (Request r : requests) {
            out.add(r.action());
        }
        return out;
    }

    List<Request> requests(String action) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.action().equals(action)) {
                out.add(r);
            }
        }
        return out;
    }

    private Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    private void startHttp(ServerSocket server) {
        acceptor = start("openport-test-fake-http", () -> {
            while (!closed && !server.isClosed()) {
                try {
                    Socket s = server.accept();
                    if (server != http) {
                        s.close(); // accepted while being replaced: as if refused
                        return;
                    }
                    open.put(s, true);
                    start("openport-test-fake-http-conn", () -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    // ---------------- SSDP ----------------

    private void ssdpLoop(DatagramSocket socket, boolean unicast) {
        byte[] buf = new byte[4096];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                ssdpQueries.incrementAndGet();
                String req = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                if (!req.startsWith("M-SEARCH * HTTP/1.1") || unicast && !answerUnicast
                        || !unicast && !answerMulticast) {
                    continue;
                }
                Matcher m = Pattern.compile("(?im)^ST:\\s*(.+?)\\s*$").matcher(req);
                if (!m.find()) {
                    continue;
                }
                String st = m.group(1);
                String device = "urn:schemas-upnp-org:device:InternetGatewayDevice:" + (igd2 ? 2 : 1);
                String answerSt;
                if (onlyRootDeviceToSsdpAll) {
                    if (!st.equals("ssdp:all")) {
                        continue;
                    }
                    answerSt = "upnp:rootdevice";
                } else if (st.equals("ssdp:all") || st.equals(device)) {
                    answerSt = device;
                } else if (st.equals(serviceType())) {
                    answerSt = st;
                } else {
                    continue; // like miniupnpd: only what it has
                }
                String location = locationOverride != null ? locationOverride : location().toString();
                String answer = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: " + answerSt
                        + "\r\nUSN: uuid:fake-igd-0001::" + answerSt + "\r\nEXT:\r\nSERVER: fake UPnP/1.1 FakeIgd/1.0"
                        + "\r\nLOCATION: " + location + "\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
                        + "01-NLS: 1\r\nBOOTID.UPNP.ORG: 1\r\n\r\n";
                byte[] out = answer.getBytes(StandardCharsets.US_ASCII);
                DatagramSocket from = answerFromOtherPort ? otherPort : socket;
                from.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    // ---------------- HTTP ----------------

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] first = head.split("\r\n", 2)[0].split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0) {
                    headers.put(line.substring(0, c).trim().toLowerCase(Locale.ROOT), line.substring(c + 1).trim());
                }
            }
            OutputStream out = s.getOutputStream();
            if (first[0].equals("GET")) {
                get(first[1], out);
            } else if (first[0].equals("POST")) {
                int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(len);
                post(first[1], headers.getOrDefault("soapaction", ""), new String(body, StandardCharsets.UTF_8), out,
                        s.getInetAddress().getHostAddress());
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client gave up (timeouts in attack tests): fine
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return new String(a, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private void get(String path, OutputStream out) throws IOException {
        if (path.equals("/rootDesc.xml")) {
            descriptionFetches.incrementAndGet();
            Function<OutputStream, Boolean> override = descriptionOverride;
            if (override != null) {
                override.apply(out);
                return;
            }
            byte[] body = descriptionBody != null ? descriptionBody : description().getBytes(StandardCharsets.UTF_8);
            respond(out, 200, body);
        } else if (path.equals("/WANIPCn.xml")) {
            respond(out, 200, scpd().getBytes(StandardCharsets.UTF_8));
        } else {
            respond(out, 404, new byte[0]);
        }
    }

    static void respond(OutputStream out, int status, byte[] body) throws IOException {
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : status == 500 ? " Internal Server Error"
                : " Not Found") + "\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nConnection: close\r\n"
                + "Content-Length: " + body.length + "\r\nServer: fake UPnP/1.1 FakeIgd/1.0\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
    }

    String description() {
        String v = igd2 ? "2" : "1";
        return "<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major>"
                + "<minor>1</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:"
                + v + "</deviceType><friendlyName>fake IGD</friendlyName><UDN>uuid:fake-igd-0001</UDN><deviceList>"
                + "<device><deviceType>urn:schemas-upnp-org:device:WANDevice:" + v + "</deviceType><UDN>uuid:fake-igd-0002"
                + "</UDN><deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:" + v
                + "</deviceType><UDN>uuid:fake-igd-0003</UDN>" + downDevice()
                + "<serviceList><service><serviceType>" + serviceType()
                + "</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml"
                + "</SCPDURL><controlURL>" + controlPath + "</controlURL><eventSubURL>/evt/IPConn</eventSubURL></service>"
                + firewallService() + "</serviceList></device></deviceList></device></deviceList></device></root>";
    }

    private static final String FIREWALL = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

    private String firewallService() {
        return ipv6Firewall ? "<service><serviceType>" + FIREWALL + "</serviceType><controlURL>/ctl/IP6FCtl"
                + "</controlURL></service>" : "";
    }

    private void pinhole(String action, String st, Map<String, String> a, OutputStream out) throws IOException {
        if (!st.equals(FIREWALL)) {
            fault(out, 401, "Invalid Action");
            return;
        }
        switch (action) {
            case "AddPinhole" -> {
                long lease = Long.parseLong(a.get("LeaseTime"));
                if (lease < 1 || lease > 86400) {
                    fault(out, 402, "Invalid Args");
                    return;
                }
                int id = nextPinhole.getAndIncrement();
                pinholes.put(id, new LinkedHashMap<>(a));
                okAs(out, FIREWALL, action, "<UniqueID>" + id + "</UniqueID>");
            }
            case "UpdatePinhole" -> {
                Map<String, String> p = pinholes.get(Integer.parseInt(a.get("UniqueID")));
                if (p == null) {
                    fault(out, 704, "NoSuchEntry");
                    return;
                }
                p.put("LeaseTime", a.get("NewLeaseTime"));
                okAs(out, FIREWALL, action, "");
            }
            case "DeletePinhole" -> {
                if (pinholes.remove(Integer.parseInt(a.get("UniqueID"))) == null) {
                    fault(out, 704, "NoSuchEntry");
                } else {
                    okAs(out, FIREWALL, action, "");
                }
            }
            case "GetPinholePackets" -> {
                if (pinholes.containsKey(Integer.parseInt(a.get("UniqueID")))) {
                    okAs(out, FIREWALL, action, "<PinholePackets>0</PinholePackets>");
                } else {
                    fault(out, 704, "NoSuchEntry");
                }
            }
            case "GetFirewallStatus" -> okAs(out, FIREWALL, action,
                    "<FirewallEnabled>1</FirewallEnabled><InboundPinholeAllowed>1</InboundPinholeAllowed>");
            default -> fault(out, 401, "Invalid Action");
        }
    }

    /** Closes the first WANConnectionDevice and opens a second, so the down one comes first in document order. */
    private String downDevice() {
        if (!twoConnectionDevicesFirstDown) {
            return "";
        }
        return "<serviceList><service><serviceType>" + serviceType() + "</serviceType><controlURL>/ctl/Down"
                + "</controlURL></service></serviceList></device><device><deviceType>"
                + "urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><UDN>uuid:fake-igd-0004</UDN>";
    }

    private String scpd() {
        String range = leaseMax > 0 ? "<allowedValueRange><minimum>0</minimum><maximum>" + leaseMax
                + "</maximum></allowedValueRange>" : "";
        return "<?xml version=\"1.0\"?><scpd xmlns=\"urn:schemas-upnp-org:service-1-0\"><serviceStateTable>"
                + "<stateVariable sendEvents=\"no\"><name>PortMappingLeaseDuration</name><dataType>ui4</dataType>"
                + range + "</stateVariable></serviceStateTable></scpd>";
    }

    // ---------------- SOAP ----------------

    private void post(String path, String soapAction, String body, OutputStream out, String from)
            throws IOException {
        rawSoap.add(body);
        Matcher a = Pattern.compile("\"?([^#\"]+)#([A-Za-z]+)\"?").matcher(soapAction);
        if (!a.matches()) {
            fault(out, 401, "Invalid Action");
            return;
        }
        String st = a.group(1);
        String action = a.group(2);
        Map<String, String> args = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<(New[A-Za-z]+|[A-Z][A-Za-z]+)>([^<]*)</\\1>").matcher(body);
        while (m.find()) {
            args.put(m.group(1), unescape(m.group(2)));
        }
        requests.add(new Request(action, st, args));
        java.util.Deque<byte[]> queued = canned.get(action);
        byte[] raw = queued == null ? null : queued.poll();
        if (raw != null) {
            out.write(raw);
            return;
        }
        Integer refusal = alwaysFault.get(action);
        if (refusal != null) {
            fault(out, refusal, "refused");
            return;
        }
        if (path.equals("/ctl/IP6FCtl") && ipv6Firewall) {
            pinhole(action, st, args, out);
            return;
        }
        if (!st.equals(serviceType())) {
            fault(out, 401, "Invalid Action");
            return;
        }
        if (path.equals("/ctl/Down")) {
            switch (action) {
                case "GetStatusInfo" -> ok(out, action, "<NewConnectionStatus>Disconnected</NewConnectionStatus>"
                        + "<NewLastConnectionError>ERROR_NO_CARRIER</NewLastConnectionError><NewUptime>0</NewUptime>");
                case "GetExternalIPAddress" -> ok(out, action, "<NewExternalIPAddress>10.0.0.5</NewExternalIPAddress>");
                default -> fault(out, 501, "Action Failed");
            }
            return;
        }
        if (!path.equals(controlPath)) {
            respond(out, 404, new byte[0]);
            return;
        }
        synchronized (this) {
            soap(action, args, out, from);
        }
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private void soap(String action, Map<String, String> a, OutputStream out, String from) throws IOException {
        switch (action) {
            case "GetExternalIPAddress" -> ok(out, action, "<NewExternalIPAddress>" + externalAddress
                    + "</NewExternalIPAddress>");
            case "GetStatusInfo" -> ok(out, action, "<NewConnectionStatus>Connected</NewConnectionStatus>"
                    + "<NewLastConnectionError>ERROR_NONE</NewLastConnectionError><NewUptime>42</NewUptime>");
            case "AddPortMapping", "AddAnyPortMapping" -> add(action, a, out);
            case "DeletePortMapping" -> {
                Entry held = table.get(key(a));
                if (secureMode && held != null && !held.client().equals(from)) {
                    fault(out, 606, "Action not authorized");
                    return;
                }
                Entry e = table.remove(key(a));
                if (e == null) {
                    fault(out, 714, "NoSuchEntryInArray");
                } else {
                    ok(out, action, "");
                }
            }
            case "GetSpecificPortMappingEntry" -> {
                Entry e = table.get(key(a));
                if (e == null) {
                    fault(out, 714, "NoSuchEntryInArray");
                } else {
                    ok(out, action, "<NewInternalPort>" + e.internalPort() + "</NewInternalPort><NewInternalClient>"
                            + e.client() + "</NewInternalClient><NewEnabled>" + (e.enabled() ? 1 : 0)
                            + "</NewEnabled><NewPortMappingDescription>" + Soap.escape(e.description())
                            + "</NewPortMappingDescription><NewLeaseDuration>" + e.lease() + "</NewLeaseDuration>");
                }
            }
            case "GetGenericPortMappingEntry" -> {
                int i = Integer.parseInt(a.getOrDefault("NewPortMappingIndex", "0"));
                List<Entry> all;
                synchronized (table) {
                    all = new ArrayList<>(table.values());
                }
                if (i >= all.size()) {
                    fault(out, 713, "SpecifiedArrayIndexInvalid");
                } else {
                    Entry e = all.get(i);
                    ok(out, action, "<NewRemoteHost></NewRemoteHost><NewExternalPort>" + e.externalPort()
                            + "</NewExternalPort><NewProtocol>" + e.protocol() + "</NewProtocol><NewInternalPort>"
                            + e.internalPort() + "</NewInternalPort><NewInternalClient>" + e.client()
                            + "</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>"
                            + Soap.escape(e.description()) + "</NewPortMappingDescription><NewLeaseDuration>"
                            + e.lease() + "</NewLeaseDuration>");
                }
            }
            default -> fault(out, 401, "Invalid Action");
        }
    }

    private static String key(Map<String, String> a) {
        return a.get("NewExternalPort") + "/" + a.get("NewProtocol");
    }

    private void add(String action, Map<String, String> a, OutputStream out) throws IOException {
        if (action.equals("AddAnyPortMapping") && !igd2) {
            fault(out, 401, "Invalid Action");
            return;
        }
        String proto = a.get("NewProtocol");
        if (!"TCP".equals(proto) && !"UDP".equals(proto)) {
            fault(out, 402, "Invalid Args");
            return;
        }
        long lease = Long.parseLong(a.get("NewLeaseDuration"));
        if (only725Permanent && lease != 0) {
            fault(out, 725, "OnlyPermanentLeasesSupported");
            return;
        }
        if (invalidArgsOnLease && lease != 0 || leaseMax > 0 && lease > leaseMax) {
            fault(out, 402, "Invalid Args");
            return;
        }
        int ext = Integer.parseInt(a.get("NewExternalPort"));
        int internal = Integer.parseInt(a.get("NewInternalPort"));
        if (samePortRequired && ext != internal) {
            fault(out, 724, "SamePortValuesRequired");
            return;
        }
        String client = a.get("NewInternalClient");
        Entry existing = table.get(ext + "/" + proto);
        if (action.equals("AddAnyPortMapping")) {
            while (existing != null && !existing.client().equals(client)) {
                ext = ext >= 65535 ? 1024 : ext + 1;
                existing = table.get(ext + "/" + proto);
            }
        } else if (existing != null) {
            if (!existing.client().equals(client) || conflictOnReAdd) {
                fault(out, 718, "ConflictInMappingEntry");
                return;
            }
            if (ignoreReAdd) {
                ok(out, action, "");
                return;
            }
        }
        table.put(ext + "/" + proto, new Entry(ext, proto, internal, client,
                a.getOrDefault("NewPortMappingDescription", ""), lease, true));
        ok(out, action, action.equals("AddAnyPortMapping") ? "<NewReservedPort>" + ext + "</NewReservedPort>" : "");
    }

    private void ok(OutputStream out, String action, String inner) throws IOException {
        okAs(out, serviceType(), action, inner);
    }

    private void okAs(OutputStream out, String serviceType, String action, String inner) throws IOException {
        String body = "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:" + action + "Response "
                + "xmlns:u=\"" + serviceType + "\">" + inner + "</u:" + action + "Response></s:Body></s:Envelope>\r\n";
        respond(out, 200, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void fault(OutputStream out, int code, String desc) throws IOException {
        String body = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault><faultcode>s:Client"
                + "</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError "
                + "xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>" + code + "</errorCode><errorDescription>"
                + desc + "</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
        respond(out, 500, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds an entry directly, as another LAN host would have. */
    void preload(int ext, String proto, int internal, String client, long lease) {
        table.put(ext + "/" + proto, new Entry(ext, proto, internal, client, "other host", lease, true));
    }

    @Override
    public void close() {
        closed = true;
        ssdp.close();
        multicastStandIn.close();
        otherPort.close();
        try {
            http.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket s : open.keySet()) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
