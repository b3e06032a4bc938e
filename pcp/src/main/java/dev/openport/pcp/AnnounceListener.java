package dev.openport.pcp;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives unsolicited ANNOUNCE responses (RFC 6887 §14.1.3), which a server multicasts to 224.0.0.1:5350 and
 * [ff02::1]:5350 after it restarted or lost state. Runs one daemon thread, {@code openport-pcp-announce}, until
 * {@link #close()}. Only ANNOUNCE responses from the server's own address and port are passed on.
 */
final class AnnounceListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnounceListener.class);

    /** The client port for unsolicited messages, §19.1 / §14.1.3. */
    static final int CLIENT_PORT = 5350;

    /**
     * Where to listen.
     *
     * @param enabled whether to listen at all
     * @param bind    the local address and port to bind
     * @param group   the multicast group to join, or {@code null} (a loopback test sends unicast)
     */
    record Config(boolean enabled, InetSocketAddress bind, InetAddress group) {
        static final Config DISABLED = new Config(false, null, null);

        /** 224.0.0.1:5350 or [ff02::1]:5350 depending on the gateway's family, when multicast is allowed. */
        static Config standard(InetAddress gateway, boolean multicast) {
            if (!multicast) {
                return DISABLED;
            }
            boolean v4 = gateway instanceof Inet4Address;
            try {
                return new Config(true, new InetSocketAddress(v4 ? "0.0.0.0" : "::", CLIENT_PORT),
                        InetAddress.getByName(v4 ? "224.0.0.1" : "ff02::1"));
            } catch (IOException e) {
                throw new AssertionError("literal addresses need no lookup", e);
            }
        }
    }

    /** Told about each accepted ANNOUNCE. */
    @FunctionalInterface
    interface Handler {
        void onAnnounce(PcpMessage announce, long receivedAtMillis);
    }

    private final DatagramChannel channel;
    private final Thread thread;

    private AnnounceListener(DatagramChannel channel, InetSocketAddress server, Handler handler) {
        this.channel = channel;
        this.thread = new Thread(() -> run(server, handler), "openport-pcp-announce");
        this.thread.setDaemon(true);
    }

    /** Binds, joins the group on the interface of {@code localAddress} and starts the thread. */
    static AnnounceListener start(Config config, InetSocketAddress server, InetAddress localAddress,
            Handler handler) throws IOException {
        DatagramChannel ch = DatagramChannel.open(config.bind().getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            // NAT-PMP listens on the same port for its own announcements: share it
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(config.bind());
            if (config.group() != null) {
                NetworkInterface nif = NetworkInterface.getByInetAddress(localAddress);
                if (nif == null) {
                    throw new IOException("no interface has " + localAddress.getHostAddress());
                }
                ch.join(config.group(), nif);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        AnnounceListener listener = new AnnounceListener(ch, server, handler);
        listener.thread.start();
        return listener;
    }

    /** The bound port (tests bind port 0). */
    int localPort() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    private void run(InetSocketAddress server, Handler handler) {
        ByteBuffer buffer = ByteBuffer.allocate(PcpCodec.MAX_MESSAGE + 4);
        while (channel.isOpen()) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (!server.equals(from)) {
                    LOG.debug("ignoring datagram on the ANNOUNCE port from {}", from);
                    continue;
                }
                if (buffer.position() > PcpCodec.MAX_MESSAGE) {
                    continue;
                }
                PcpMessage m = PcpCodec.decode(buffer.array(), buffer.position());
                if (m.version() == PcpMessage.VERSION && m.response()
                        && m.opcode() == PcpMessage.OPCODE_ANNOUNCE && m.resultCode() == 0) {
                    handler.onAnnounce(m, System.nanoTime() / 1_000_000);
                } else {
                    LOG.debug("ignoring non-ANNOUNCE message on the ANNOUNCE port from {}", from);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (PcpFormatException e) {
                LOG.debug("ignoring malformed datagram on the ANNOUNCE port: {}", e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (!channel.isOpen()) {
                    return;
                }
                LOG.debug("ANNOUNCE listener: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();   // wakes the blocked receive with AsynchronousCloseException
        } catch (IOException e) {
            // nothing left to release
        }
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
