package dev.openport.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal NAT-PMP gateway (RFC 6886) on a loopback UDP port, speaking the real bytes: external-address
 * requests (op 0) and map requests (op 1 UDP, op 2 TCP), including delete (lifetime 0). A request of another
 * version (a PCP probe) gets the RFC 6886 §3.5 "unsupported version" answer, as a NAT-PMP-only router sends.
 */
final class FakeNatPmpGateway implements AutoCloseable {

    /** A map request as received. */
    record MapRequest(int op, int internalPort, int suggestedExternalPort, long lifetime) {
        boolean isDelete() {
            return lifetime == 0;
        }
    }

    private final DatagramSocket socket;
    private final Thread thread;
    private volatile long startNanos = System.nanoTime();
    private volatile int epochBase = 1000;
    final List<MapRequest> maps = new CopyOnWriteArrayList<>();
    volatile int addressRequests;
    volatile byte[] externalAddress = {(byte) 203, 0, 113, 7};
    /** Result code for map requests (0 = success, 2 = not authorized, 3 = network failure, 4 = no resources). */
    volatile int mapResult;
    /** When set, map requests for this internal port get result 4 (NO_RESOURCES): a failure halfway, deterministic. */
    volatile int refuseInternalPort;
    /** When set, map requests (not deletes) get no answer at all. */
    volatile boolean dropMaps;
    /** When non-zero, the external port granted instead of the suggested one. */
    volatile int grantPort;
    /** When non-zero, the external port granted to UDP requests (a gateway giving TCP and UDP different ports). */
    volatile int grantUdpPort;

    FakeNatPmpGateway() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(200);
        thread = new Thread(this::serve, "fake-natpmp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    List<MapRequest> nonDeletes() {
        return maps.stream().filter(m -> !m.isDelete()).toList();
    }

    List<MapRequest> deletes() {
        return maps.stream().filter(MapRequest::isDelete).toList();
    }

    private void serve() {
        byte[] buf = new byte[1100];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            byte[] answer = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
            if (answer != null) {
                try {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        }
    }

    private int sssoe() {
        return (int) ((System.nanoTime() - startNanos) / 1_000_000_000L) + epochBase;
    }

    /** A router reboot: the epoch starts again from 0 (RFC 6886 §3.6), so clients must re-map. */
    void reboot() {
        epochBase = 0;
        startNanos = System.nanoTime();
    }

    private byte[] answer(ByteBuffer req) {
        if (req.remaining() < 2) {
            return null;
        }
        int version = req.get() & 0xff;
        int op = req.get() & 0x7f;
        if (version != 0) {
            // §3.5: unsupported version
            return ByteBuffer.allocate(8).put((byte) 0).put((byte) (128 + op)).putShort((short) 1).putInt(sssoe())
                    .array();
        }
        if (op == 0) {
            addressRequests++;
            return ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) 0).putInt(sssoe())
                    .put(externalAddress).array();
        }
        if ((op != 1 && op != 2) || req.remaining() < 10) {
            return ByteBuffer.allocate(8).put((byte) 0).put((byte) (128 + op)).putShort((short) 5).putInt(sssoe())
                    .array();
        }
        req.getShort(); // reserved
        int internal = req.getShort() & 0xffff;
        int external = req.getShort() & 0xffff;
        long lifetime = req.getInt() & 0xffffffffL;
        MapRequest m = new MapRequest(op, internal, external, lifetime);
        maps.add(m);
        if (!m.isDelete() && dropMaps) {
            return null;
        }
        int result = m.isDelete() ? 0 : internal == refuseInternalPort ? 4 : mapResult;
        int granted = m.isDelete() || result != 0 ? 0 : op == 1 && grantUdpPort != 0 ? grantUdpPort
                : grantPort != 0 ? grantPort : external;
        return ByteBuffer.allocate(16).put((byte) 0).put((byte) (128 + op)).putShort((short) result)
                .putInt(sssoe()).putShort((short) internal).putShort((short) granted)
                .putInt(result != 0 ? 0 : (int) lifetime).array();
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
