package dev.openport.core.spi;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one listener on the client announcement port 5350 (RFC 6886 §3.2.1: NAT-PMP external-address
 * announcements to 224.0.0.1; RFC 6887 §14.1.3: PCP ANNOUNCE to 224.0.0.1 and ff02::1). NAT-PMP and PCP share
 * the port; rather than two sockets racing for it, every mapper {@linkplain #subscribe subscribes} here and each
 * datagram goes to the subscribers whose protocol version (the first octet: 0 NAT-PMP, 2 PCP) and gateway
 * address match its source. One daemon thread, {@code openport-announce}, per bound socket; the socket closes
 * when its last subscription does. A socket that keeps failing gives up after a few errors in a row rather
 * than spin (renewals still notice a reboot through the epoch).
 *
 * <pre>{@code
 * AnnouncementPort.Subscription s = AnnouncementPort.subscribe(new InetSocketAddress(5350),
 *         AnnouncementPort.IPV4_GROUP, localAddress, gateway, 0, (data, length, from, at) -> handle(data, length));
 * s.close();
 * }</pre>
 */
public final class AnnouncementPort {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncementPort.class);
    /** The client port for unsolicited messages (RFC 6886 §3.2.1, RFC 6887 §19.1). */
    public static final int CLIENT_PORT = 5350;
    /** The IPv4 all-hosts group announcements go to. */
    public static final InetAddress IPV4_GROUP = literal(new byte[] {(byte) 224, 0, 0, 1});
    /** The IPv6 all-nodes group PCP ANNOUNCE goes to. */
    public static final InetAddress IPV6_GROUP = literal(new byte[] {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 1});
    /** Largest datagram read: PCP's 1100-octet bound (§7) plus a word to see an oversized one. */
    static final int MAX_DATAGRAM = 1104;
    private static final int MAX_CONSECUTIVE_FAILURES = 10;

    private static final Map<Key, Shared> OPEN = new HashMap<>();

    private AnnouncementPort() {
    }

    /** Told of each datagram from its gateway in its protocol version. Runs on the listener thread: be quick. */
    @FunctionalInterface
    public interface Handler {
        /**
         * One datagram.
         *
         * @param data            the buffer (valid only during the call)
         * @param length          how many bytes of {@code data} are the datagram
         * @param from            the sender
         * @param receivedAtNanos {@link System#nanoTime()} at receipt
         */
        void onDatagram(byte[] data, int length, InetSocketAddress from, long receivedAtNanos);
    }

    /** A registration; {@link #close()} ends it (and the socket, when it was the last). */
    public interface Subscription extends AutoCloseable {
        /**
         * The port the shared socket is bound to (tests bind port 0).
         *
         * @return the local port
         */
        int localPort();

        @Override
        void close();
    }

    /**
     * Subscribes to datagrams whose first octet is {@code version} and whose source address is {@code gateway}.
     *
     * @param bind         where to listen: {@code 0.0.0.0:5350} (or {@code [::]:5350}) with a group; tests bind a
     *                     loopback address
     * @param group        the multicast group to join, or {@code null} for none (unicast tests)
     * @param localAddress the address whose interface joins the group
     * @param gateway      only datagrams from this address are delivered
     * @param version      only datagrams whose first octet is this version are delivered
     * @param handler      told of each datagram
     * @return the registration; close it to stop
     * @throws IOException when the port cannot be bound or the group joined
     */
    public static Subscription subscribe(InetSocketAddress bind, InetAddress group, InetAddress localAddress,
            InetAddress gateway, int version, Handler handler) throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(gateway, "gateway");
        Objects.requireNonNull(handler, "handler");
        NetworkInterface nif = null;
        if (group != null) {
            nif = NetworkInterface.getByInetAddress(localAddress);
            if (nif == null) {
                throw new IOException("no interface has address " + localAddress.getHostAddress());
            }
        }
        Entry entry = new Entry(gateway, version, handler);
        synchronized (OPEN) {
            // an ephemeral port (0) is never shared: each such subscription gets a socket of its own
            Key key = bind.getPort() == 0 ? null : new Key(bind, group, nif == null ? null : nif.getName());
            Shared shared = key == null ? null : OPEN.get(key);
            if (shared == null) {
                shared = Shared.open(key, bind, group, nif);
                if (key != null) {
                    OPEN.put(key, shared);
                }
            }
            shared.entries.add(entry);
            Shared s = shared;
            return new Subscription() {
                @Override
                public int localPort() {
                    return s.localPort();
                }

                @Override
                public void close() {
                    s.remove(entry);
                }
            };
        }
    }

    /** How many announcement sockets are open (tests). */
    static int openSockets() {
        synchronized (OPEN) {
            return OPEN.size();
        }
    }

    private record Key(InetSocketAddress bind, InetAddress group, String nif) {
    }

    private record Entry(InetAddress gateway, int version, Handler handler) {
    }

    /** One bound socket, its thread and its subscribers. */
    private static final class Shared {
        private final Key key;
        private final DatagramChannel channel;
        private final List<Entry> entries = new CopyOnWriteArrayList<>();
        private final Thread thread;

        private Shared(Key key, DatagramChannel channel) {
            this.key = key;
            this.channel = channel;
            this.thread = new Thread(this::run, "openport-announce");
            this.thread.setDaemon(true);
        }

        static Shared open(Key key, InetSocketAddress bind, InetAddress group, NetworkInterface nif)
                throws IOException {
            DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            try {
                // another process (a second openport, a system daemon) may listen too
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(bind);
                if (group != null) {
                    ch.join(group, nif);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            Shared s = new Shared(key, ch);
            s.thread.start();
            LOG.debug("listening for NAT-PMP/PCP announcements on {}", bind);
            return s;
        }

        int localPort() {
            try {
                return ((InetSocketAddress) channel.getLocalAddress()).getPort();
            } catch (IOException e) {
                return -1;
            }
        }

        void remove(Entry entry) {
            boolean last;
            synchronized (OPEN) {
                if (!entries.remove(entry)) {
                    return;
                }
                last = entries.isEmpty();
                if (last && key != null) {
                    OPEN.remove(key);
                }
            }
            if (last) {
                try {
                    channel.close();   // wakes the blocked receive
                } catch (IOException e) {
                    LOG.debug("closing the announcement socket: {}", e.toString());
                }
                if (Thread.currentThread() != thread) {
                    try {
                        thread.join(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        private void run() {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
            int failures = 0;
            while (channel.isOpen()) {
                try {
                    buffer.clear();
                    SocketAddress from = channel.receive(buffer);
                    failures = 0;
                    dispatch(buffer.array(), buffer.position(), from);
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    if (!channel.isOpen()) {
                        return;
                    }
                    if (++failures >= MAX_CONSECUTIVE_FAILURES) {
                        LOG.warn("announcement listener stops after {} errors in a row: {}", failures, e.toString());
                        return;
                    }
                    LOG.debug("announcement listener: {}", e.toString());
                }
            }
        }

        private void dispatch(byte[] data, int length, SocketAddress from) {
            if (length < 1 || !(from instanceof InetSocketAddress source)) {
                return;
            }
            long at = System.nanoTime();
            int version = data[0] & 0xFF;
            boolean taken = false;
            for (Entry e : entries) {
                // RFC 6886 §3.2.1: "the client MUST check the source IP address"
                if (e.version() == version && e.gateway().equals(source.getAddress())) {
                    taken = true;
                    try {
                        e.handler().onDatagram(data, length, source, at);
                    } catch (RuntimeException ex) {
                        LOG.warn("an announcement handler threw", ex);
                    }
                }
            }
            if (!taken) {
                LOG.debug("ignoring a version-{} datagram on the announcement port from {}", version, from);
            }
        }
    }

    private static InetAddress literal(byte[] address) {
        try {
            return InetAddress.getByAddress(address);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
