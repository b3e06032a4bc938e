package dev.openport.pcp;

import dev.openport.core.spi.AnnouncementPort;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives unsolicited ANNOUNCE responses (RFC 6887 §14.1.3), which a server multicasts to 224.0.0.1:5350 and
 * [ff02::1]:5350 after it restarted or lost state. The port is shared with NAT-PMP through core's
 * {@link AnnouncementPort} (one socket, one {@code openport-announce} thread), which hands this listener the
 * version-2 datagrams from the server's address; only ANNOUNCE responses from its own port are passed on.
 */
final class AnnounceListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnounceListener.class);

    /** The client port for unsolicited messages, §19.1 / §14.1.3. */
    static final int CLIENT_PORT = AnnouncementPort.CLIENT_PORT;

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
            return new Config(true, new InetSocketAddress(v4 ? "0.0.0.0" : "::", CLIENT_PORT),
                    v4 ? AnnouncementPort.IPV4_GROUP : AnnouncementPort.IPV6_GROUP);
        }
    }

    /** Told about each accepted ANNOUNCE. */
    @FunctionalInterface
    interface Handler {
        void onAnnounce(PcpMessage announce, long receivedAtMillis);
    }

    private final AnnouncementPort.Subscription subscription;

    private AnnounceListener(AnnouncementPort.Subscription subscription) {
        this.subscription = subscription;
    }

    /** Subscribes to the shared announcement port, joining the group on the interface of {@code localAddress}. */
    static AnnounceListener start(Config config, InetSocketAddress server, InetAddress localAddress,
            Handler handler) throws IOException {
        return new AnnounceListener(AnnouncementPort.subscribe(config.bind(), config.group(), localAddress,
                server.getAddress(), PcpMessage.VERSION, (data, length, from, at) -> {
                    if (!server.equals(from)) {
                        LOG.debug("ignoring datagram on the ANNOUNCE port from {}", from);
                        return;
                    }
                    handle(data, length, at, handler);
                }));
    }

    /** The bound port (tests bind port 0). */
    int localPort() {
        return subscription.localPort();
    }

    private static void handle(byte[] data, int length, long receivedAtNanos, Handler handler) {
        if (length > PcpCodec.MAX_MESSAGE) {
            return;
        }
        try {
            PcpMessage m = PcpCodec.decode(data, length);
            if (m.version() == PcpMessage.VERSION && m.response() && m.opcode() == PcpMessage.OPCODE_ANNOUNCE
                    && m.resultCode() == 0) {
                handler.onAnnounce(m, receivedAtNanos / 1_000_000);
            } else {
                LOG.debug("ignoring non-ANNOUNCE message on the ANNOUNCE port");
            }
        } catch (PcpFormatException e) {
            LOG.debug("ignoring malformed datagram on the ANNOUNCE port: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        subscription.close();
    }
}
