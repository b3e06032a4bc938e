package dev.openport.natpmp;

import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process NAT-PMP gateway on 127.0.0.1 (ephemeral port) speaking real bytes over real UDP, for tests.
 * It keeps a mapping table like a real gateway and is scriptable: drop the first N requests, set the epoch,
 * answer with a result code, or replace the answer entirely with a {@link Script} (reply from another port or
 * address, wrong opcode, junk floods). Every request is recorded with its arrival time.
 */
final class FakeNatPmpGateway implements AutoCloseable {
    /** One request as it arrived. */
    record Received(byte[] bytes, InetSocketAddress from, long nanos) {
        NatPmpRequest decoded() throws PortMappingException {
            return NatPmpCodec.decodeRequest(bytes, bytes.length);
        }
    }

    /** How to answer one request; the default is {@link Peer#answer()}. */
    @FunctionalInterface
    interface Script {
        void onRequest(Received request, Peer peer) throws IOException;
    }

    /** What a script can do with one request. */
    final class Peer {
        private final Received request;

        private Peer(Received request) {
            this.request = request;
        }

        /** The answer a correct gateway would give (and applies it to the mapping table). */
        byte[] standardAnswer() throws IOException {
            return NatPmpCodec.encode(respond(request.decoded()));
        }

        /** Sends the standard answer from the gateway's socket. */
        void answer() throws IOException {
            send(standardAnswer());
        }

        /** Sends bytes from the gateway's own address and port. */
        void send(byte[] bytes) throws IOException {
            socket.send(new DatagramPacket(bytes, bytes.length, request.from()));
        }

        /** Sends bytes from the gateway's address but another port. */
        void sendFromOtherPort(byte[] bytes) throws IOException {
            otherPort.send(new DatagramPacket(bytes, bytes.length, request.from()));
        }

        /** Sends bytes from another loopback address (127.0.0.2). */
        void sendFromOtherAddress(byte[] bytes) throws IOException {
            otherAddress.send(new DatagramPacket(bytes, bytes.length, request.from()));
        }

        Received request() {
            return request;
        }
    }

    private record Key(Transport transport, int internalPort) {
    }

    private final DatagramSocket socket;
    private final DatagramSocket otherPort;
    private final DatagramSocket otherAddress;
    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final Map<Key, Integer> table = new ConcurrentHashMap<>();
    private final AtomicInteger toDrop = new AtomicInteger();
    private volatile Script script = (req, peer) -> peer.answer();
    private volatile Long fixedEpoch;
    private volatile long epochOffset = 1000;
    private volatile int resultCode;
    private volatile Integer grantedPort;
    private volatile long maxLifetime = Long.MAX_VALUE;
    private volatile Inet4Address externalAddress = ipv4("203.0.113.7");
    private volatile java.util.function.IntBinaryOperator internalField = (asked, granted) -> asked;

    FakeNatPmpGateway() throws SocketException {
        this(0);
    }

    /** A gateway on a given port (0: ephemeral), e.g. to come back on the same port after a "reboot". */
    FakeNatPmpGateway(int port) throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        otherPort = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        otherAddress = new DatagramSocket(new InetSocketAddress(ipv4("127.0.0.2"), 0));
        thread = new Thread(this::serve, "fake-natpmp-gateway");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Ignores the next {@code n} requests (still recorded). */
    FakeNatPmpGateway dropFirst(int n) {
        toDrop.set(n);
        return this;
    }

    /** Answers with this epoch from now on; {@code null}: seconds since start plus an offset. */
    FakeNatPmpGateway epoch(Long epoch) {
        this.fixedEpoch = epoch;
        return this;
    }

    /** Answers with this result code (0 = success) from now on. */
    FakeNatPmpGateway resultCode(int code) {
        this.resultCode = code;
        return this;
    }

    /** Grants this external port instead of the suggested one ({@code null}: the suggested one). */
    FakeNatPmpGateway grantPort(Integer port) {
        this.grantedPort = port;
        return this;
    }

    /** Grants at most this lifetime. */
    FakeNatPmpGateway maxLifetime(long seconds) {
        this.maxLifetime = seconds;
        return this;
    }

    /**
     * What the answer's internal-port field says, from (internal port asked, external port granted): the default
     * echoes the port asked (RFC 6886 §3.3); VPN gateways answer 0 or the granted port.
     */
    FakeNatPmpGateway internalPortField(java.util.function.IntBinaryOperator field) {
        this.internalField = field;
        return this;
    }

    FakeNatPmpGateway externalAddress(String address) {
        this.externalAddress = ipv4(address);
        return this;
    }

    FakeNatPmpGateway script(Script s) {
        this.script = s;
        return this;
    }

    /** Forgets every mapping, as a reboot does. */
    void loseState() {
        table.clear();
    }

    List<Received> requests() {
        return List.copyOf(requests);
    }

    /** External port currently mapped for this internal port, or null. */
    Integer mapped(Transport transport, int internalPort) {
        return table.get(new Key(transport, internalPort));
    }

    /** How many mappings the table holds. */
    int mappedCount() {
        return table.size();
    }

    /** Sends a datagram from the gateway's socket (announcements). */
    void sendFromGateway(byte[] bytes, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** Sends a datagram from 127.0.0.2 (a host that is not the gateway). */
    void sendFromOtherAddress(byte[] bytes, InetSocketAddress to) throws IOException {
        otherAddress.send(new DatagramPacket(bytes, bytes.length, to));
    }

    long currentEpoch() {
        Long f = fixedEpoch;
        return f != null ? f : epochOffset + (System.nanoTime() - startNanos) / 1_000_000_000L;
    }

    private NatPmpResponse respond(NatPmpRequest request) {
        long epoch = currentEpoch();
        int code = resultCode;
        if (request instanceof NatPmpRequest.Map m) {
            int external = 0;
            long lifetime = 0;
            if (code == 0) {
                if (m.isDelete()) {
                    if (m.internalPort() == 0) {
                        table.keySet().removeIf(k -> k.transport() == m.transport());
                    } else {
                        table.remove(new Key(m.transport(), m.internalPort()));
                    }
                } else {
                    Integer g = grantedPort;
                    external = g != null ? g : m.suggestedExternalPort() != 0 ? m.suggestedExternalPort() : 40000;
                    lifetime = Math.min(m.lifetimeSeconds(), maxLifetime);
                    table.put(new Key(m.transport(), m.internalPort()), external);
                }
            }
            int field = m.isDelete() ? m.internalPort() : internalField.applyAsInt(m.internalPort(), external);
            return new NatPmpResponse.Map(m.transport(), code, epoch, field, external, lifetime);
        }
        return new NatPmpResponse.ExternalAddress(code, epoch, code == 0 ? externalAddress : ipv4("0.0.0.0"));
    }

    private void serve() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                Received r = new Received(java.util.Arrays.copyOf(p.getData(), p.getLength()),
                        (InetSocketAddress) p.getSocketAddress(), System.nanoTime());
                requests.add(r);
                if (toDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    continue;
                }
                script.onRequest(r, new Peer(r));
            } catch (IOException e) {
                // closed, or a request our codec rejects: a real gateway would not answer either
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        otherPort.close();
        otherAddress.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Inet4Address ipv4(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Hex.bytes(
                    java.util.Arrays.stream(dotted.split("\\.")).map(s -> String.format("%02x", Integer.parseInt(s)))
                            .reduce("", String::concat)));
        } catch (IOException e) {
            throw new IllegalArgumentException(dotted, e);
        }
    }
}
