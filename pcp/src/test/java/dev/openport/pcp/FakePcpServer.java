package dev.openport.pcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A PCP server on loopback speaking real bytes over a real UDP socket: keeps a MAP table keyed by protocol and
 * internal port (with the nonce that owns each entry, as RFC 6887 §11.3 requires), answers ANNOUNCE, and lets a
 * test replace the answer, drop datagrams or change the epoch.
 */
final class FakePcpServer implements AutoCloseable {

    /** Produces the datagrams to send back for one request; {@code null} request = undecodable bytes. */
    @FunctionalInterface
    interface Responder {
        List<byte[]> answer(PcpMessage request, byte[] raw, FakePcpServer server);
    }

    private record Entry(Octets nonce, int externalPort) {
    }

    final DatagramChannel channel;
    private final Thread thread;
    private final List<PcpMessage> requests = new ArrayList<>();
    private final List<byte[]> raw = new ArrayList<>();
    private final Map<String, Entry> table = new HashMap<>();
    private final java.util.Set<Integer> taken = new java.util.HashSet<>();
    final AtomicInteger dropNext = new AtomicInteger();
    final AtomicLong epoch = new AtomicLong(1000);
    volatile Responder responder = FakePcpServer::standard;
    volatile InetAddress externalAddress;
    volatile long maxLifetime = 7200;
    volatile java.util.function.Consumer<InetSocketAddress> sourceListener = a -> { };

    FakePcpServer(InetAddress bind) throws IOException {
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress(bind, 0));
        externalAddress = InetAddress.getByName("203.0.113.7");
        thread = new Thread(this::run, "fake-pcp-server");
        thread.setDaemon(true);
        thread.start();
    }

    static FakePcpServer ipv4() throws IOException {
        return new FakePcpServer(InetAddress.getByName("127.0.0.1"));
    }

    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    synchronized List<PcpMessage> requests() {
        return List.copyOf(requests);
    }

    synchronized int datagramsReceived() {
        return raw.size();
    }

    synchronized boolean hasMapping(int protocol, int internalPort) {
        return table.containsKey(protocol + "/" + internalPort);
    }

    /** Forgets every mapping, as a rebooted server does. */
    synchronized void forgetAll() {
        table.clear();
    }

    void send(SocketAddress to, byte[] bytes) throws IOException {
        channel.send(ByteBuffer.wrap(bytes), to);
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                byte[] bytes = new byte[buffer.position()];
                buffer.flip();
                buffer.get(bytes);
                PcpMessage request;
                try {
                    request = PcpCodec.decode(bytes);
                } catch (PcpFormatException e) {
                    request = null;
                }
                synchronized (this) {
                    raw.add(bytes);
                    if (request != null) {
                        requests.add(request);
                    }
                }
                sourceListener.accept((InetSocketAddress) from);
                if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    continue;
                }
                List<byte[]> answers = responder.answer(request, bytes, this);
                for (byte[] a : answers) {
                    channel.send(ByteBuffer.wrap(a), from);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!channel.isOpen()) {
                    return;
                }
            }
        }
    }

    /** What a correct RFC 6887 server answers. */
    static List<byte[]> standard(PcpMessage req, byte[] raw, FakePcpServer s) {
        if (req == null || req.response()) {
            return List.of();
        }
        if (req.opcode() == PcpMessage.OPCODE_ANNOUNCE) {
            return List.of(PcpCodec.encode(PcpMessage.response(2, 0, 0, 0, s.epoch.get(), null, List.of())));
        }
        if (req.opcode() != PcpMessage.OPCODE_MAP) {
            return List.of(s.reply(req, 4, 0, req.payload()));
        }
        return List.of(s.mapAnswer(req));
    }

    synchronized byte[] mapAnswer(PcpMessage req) {
        PcpPayload.Map m = req.map();
        String key = m.protocol() + "/" + m.internalPort();
        Entry e = table.get(key);
        if (e != null && !e.nonce().equals(m.nonce())) {
            return reply(req, 2, 0, m);   // NOT_AUTHORIZED: another nonce owns it (§11.3)
        }
        if (req.lifetime() == 0) {
            table.remove(key);
            return reply(req, 0, 0, m);
        }
        int port = e != null ? e.externalPort()
                : m.externalPort() != 0 && !taken.contains(m.externalPort()) ? m.externalPort()
                : 40000 + m.internalPort() % 20000;
        if (req.option(PcpOption.PREFER_FAILURE) != null && m.externalPort() != 0 && port != m.externalPort()) {
            return reply(req, 11, 0, m);
        }
        table.put(key, new Entry(m.nonce(), port));
        long lifetime = Math.min(req.lifetime(), maxLifetime);
        return reply(req, 0, lifetime, new PcpPayload.Map(m.nonce(), m.protocol(), m.internalPort(), port,
                externalAddress));
    }

    /** A response to {@code req} with the server's epoch, copying its options as §7.2 describes. */
    byte[] reply(PcpMessage req, int result, long lifetime, PcpPayload payload) {
        return PcpCodec.encode(PcpMessage.response(2, req.opcode(), result, lifetime, epoch.get(), payload,
                payload == null ? List.of() : req.options()));
    }

    /** Marks an external port as held by another client, so it is not granted again. */
    synchronized void occupy(int externalPort) {
        taken.add(externalPort);
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
