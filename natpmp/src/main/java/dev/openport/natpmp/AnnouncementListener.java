package dev.openport.natpmp;

import dev.openport.core.PortMappingException;
import dev.openport.core.spi.AnnouncementPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for the gateway's external-address announcements (RFC 6886 §3.2.1): after a reboot or an address
 * change the gateway multicasts an external-address response to 224.0.0.1:5350. The port is shared with PCP
 * through core's {@link AnnouncementPort} (one socket, one {@code openport-announce} thread), which hands this
 * listener the version-0 datagrams from the gateway's own address; {@link #close()} ends the subscription.
 */
final class AnnouncementListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncementListener.class);
    /** The all-hosts group announcements go to (RFC 6886 §3.2.1). */
    static final InetSocketAddress ANNOUNCE_GROUP =
            new InetSocketAddress(AnnouncementPort.IPV4_GROUP, AnnouncementPort.CLIENT_PORT);

    private final AnnouncementPort.Subscription subscription;

    private AnnouncementListener(AnnouncementPort.Subscription subscription) {
        this.subscription = subscription;
    }

    /**
     * Starts listening on {@code address}: a multicast group is joined on the interface of {@code localAddress};
     * a unicast address (tests: loopback, port 0 for an ephemeral one) is simply bound.
     */
    static AnnouncementListener start(InetSocketAddress address, InetAddress localAddress, InetAddress gateway,
            GatewayMonitor monitor) throws IOException {
        Objects.requireNonNull(address, "address");
        boolean multicast = address.getAddress().isMulticastAddress();
        // the same bind address as PCP's, so both share one socket
        InetSocketAddress bind = multicast ? new InetSocketAddress("0.0.0.0", address.getPort()) : address;
        AnnouncementPort.Subscription s = AnnouncementPort.subscribe(bind, multicast ? address.getAddress() : null,
                localAddress, gateway, NatPmpCodec.VERSION,
                (data, length, from, at) -> handle(data, length, from, gateway, monitor));
        LOG.debug("listening for NAT-PMP announcements from {} on {}", gateway.getHostAddress(), address);
        return new AnnouncementListener(s);
    }

    /** The port actually bound (tests bind port 0). */
    int localPort() {
        return subscription.localPort();
    }

    /**
     * Handles one datagram received on the announcement port. Returns whether it was accepted (a well-formed,
     * successful external-address announcement from the gateway); everything else is ignored.
     */
    static boolean handle(byte[] data, int length, SocketAddress from, InetAddress gateway, GatewayMonitor monitor) {
        if (!(from instanceof InetSocketAddress isa) || !gateway.equals(isa.getAddress())) {
            LOG.debug("ignoring a NAT-PMP announcement from {}: not the gateway {}", from, gateway.getHostAddress());
            return false;
        }
        if (length > 0 && (data[0] & 0xFF) != NatPmpCodec.VERSION) {
            return false; // PCP ANNOUNCE or other versions: not ours
        }
        NatPmpResponse r;
        try {
            r = NatPmpCodec.decodeResponse(data, length);
        } catch (PortMappingException e) {
            LOG.debug("ignoring a malformed NAT-PMP announcement from {}: {}", from, e.getMessage());
            return false;
        }
        if (!(r instanceof NatPmpResponse.ExternalAddress) || r.resultCode() != NatPmpCodec.RESULT_SUCCESS) {
            LOG.debug("ignoring a NAT-PMP announcement that is not a successful external address: {}", r);
            return false;
        }
        monitor.observe(r);
        return true;
    }

    @Override
    public void close() {
        subscription.close();
    }
}
