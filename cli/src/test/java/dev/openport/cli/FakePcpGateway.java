package dev.openport.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal PCP server (RFC 6887) on a loopback UDP port, speaking the real bytes: ANNOUNCE (§14.1) and MAP
 * (§11). Like a real server it ties each mapping to the nonce that created it: a MAP for the same internal port
 * and protocol with another nonce is refused with NOT_AUTHORIZED (§11.3), so deleting a mapping from another
 * process only works with the stored nonce.
 */
final class FakePcpGateway implements AutoCloseable {
    static final int NOT_AUTHORIZED = 2;

    /** A MAP request as received. */
    record MapRequest(String nonce, int protocol, int internalPort, long lifetime) {
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private final long start = System.nanoTime();
    final List<MapRequest> maps = new CopyOnWriteArrayList<>();
    /** "protocol/internalPort" -> nonce of the live mapping. */
    final Map<String, String> live = new ConcurrentHashMap<>();

    FakePcpGateway() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(200);
        thread = new Thread(this::serve, "fake-pcp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[1100];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                byte[] answer = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (SocketTimeoutException e) {
                // poll closed()
            } catch (IOException e) {
                return;
            }
        }
    }

    private byte[] answer(ByteBuffer req) {
        if (req.remaining() < 24 || req.get(0) != 2) {
            return null;
        }
        int opcode = req.get(1) & 0x7f;
        long lifetime = req.getInt(4) & 0xffffffffL;
        int epoch = (int) ((System.nanoTime() - start) / 1_000_000_000L) + 1000;
        if (opcode == 0) {
            return header(0, 0, 0, epoch).array();
        }
        if (opcode != 1 || req.remaining() < 60) {
            return null;
        }
        byte[] nonce = new byte[12];
        req.position(24);
        req.get(nonce);
        int protocol = req.get() & 0xff;
        req.position(40);
        int internal = req.getShort() & 0xffff;
        int suggested = req.getShort() & 0xffff;
        String hex = HexFormat.of().formatHex(nonce);
        maps.add(new MapRequest(hex, protocol, internal, lifetime));
        String key = protocol + "/" + internal;
        String owner = live.get(key);
        int result = 0;
        if (owner != null && !owner.equals(hex)) {
            result = NOT_AUTHORIZED;
        } else if (lifetime == 0) {
            live.remove(key);
        } else {
            live.put(key, hex);
        }
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(header(1, result, result == 0 ? lifetime : 0, epoch).array());
        b.put(nonce).put((byte) protocol).put(new byte[3]).putShort((short) internal)
                .putShort((short) (result == 0 && lifetime != 0 ? (suggested == 0 ? internal : suggested) : 0));
        // external address 203.0.113.7 as IPv4-mapped IPv6 (§5)
        b.put(new byte[10]).put((byte) 0xff).put((byte) 0xff).put(new byte[] {(byte) 203, 0, 113, 7});
        return b.array();
    }

    private static ByteBuffer header(int opcode, int result, long lifetime, int epoch) {
        ByteBuffer h = ByteBuffer.allocate(24);
        h.put((byte) 2).put((byte) (0x80 | opcode)).put((byte) 0).put((byte) result).putInt((int) lifetime)
                .putInt(epoch);
        return h;
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
