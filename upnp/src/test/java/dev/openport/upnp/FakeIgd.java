package dev.openport.upnp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-process Internet Gateway Device on loopback: an SSDP responder (a "unicast" socket and, optionally, a
 * second socket standing in for the multicast group) and an HTTP server with the description, SCPD and SOAP
 * control, backed by a real mapping table. Quirks are switched on per test. Written independently of the
 * production parser (regular expressions), so the two check each other. This class holds the switches, the
 * state and the sockets; {@link FakeIgdSsdp}, {@link FakeIgdHttp}, {@link FakeIgdDocuments} and
 * {@link FakeIgdSoap} answer.
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
    /** Replaces the description handler (attacks). */
    volatile Function<OutputStream, Boolean> descriptionOverride;
    /** The description body to serve instead of the generated one. */
    volatile byte[] descriptionBody;

    /** What GetExternalIPAddress answers ("0.0.0.0" while a PPPoE WAN is down; a new one after renumbering). */
    volatile String externalAddress = "203.0.113.1";
    /** miniupnpd's secure mode: an entry may be deleted only from its own internal client's address (606). */
    volatile boolean secureMode;
    /** Raw HTTP answers (bytes a router sent) queued per action, served once each before the table is asked. */
    final Map<String, Deque<byte[]>> canned = new ConcurrentHashMap<>();
    /** An error code answered to every request of an action (a router that always refuses it). */
    final Map<String, Integer> alwaysFault = new ConcurrentHashMap<>();

    final Map<String, Entry> table = Collections.synchronizedMap(new LinkedHashMap<>());
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<String> rawSoap = new CopyOnWriteArrayList<>();
    final AtomicInteger ssdpQueries = new AtomicInteger();
    final AtomicInteger descriptionFetches = new AtomicInteger();

    private final FakeIgdDocuments documents = new FakeIgdDocuments(this);
    private final FakeIgdHttp httpServing = new FakeIgdHttp(this, documents, new FakeIgdSoap(this));
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
        FakeIgdSsdp responder = new FakeIgdSsdp(this, otherPort);
        start("openport-test-fake-ssdp", () -> responder.answer(ssdp, true));
        start("openport-test-fake-ssdp-mc", () -> responder.answer(multicastStandIn, false));
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
        canned.computeIfAbsent(action, k -> new ConcurrentLinkedDeque<>()).add(rawHttp);
    }

    /** Answers the next {@code action} with HTTP 500 and this SOAP body (a router's fault body). */
    void faultNext(String action, byte[] body) {
        String head = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/xml; charset=\"utf-8\"\r\n"
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = Arrays.copyOf(h, h.length + body.length);
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
                    start("openport-test-fake-http-conn", () -> httpServing.serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** The device description as served now. */
    String description() {
        return documents.description();
    }

    boolean closed() {
        return closed;
    }

    /** A served connection ended: {@link #close()} need not close it any more. */
    void forget(Socket s) {
        open.remove(s);
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
