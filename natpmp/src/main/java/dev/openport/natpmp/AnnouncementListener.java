package dev.openport.natpmp;

import dev.openport.core.PortMappingException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for the gateway's external-address announcements (RFC 6886 §3.2.1): after a reboot or an address
 * change the gateway multicasts an external-address response to 224.0.0.1:5350. Runs one daemon thread,
 * {@code openport-natpmp-announce}, until {@link #close()}.
 *
 * <p>Only packets from the gateway's own address count (§3.2.1: "the client MUST check the source IP address");
 * PCP ANNOUNCE packets (version 2) on the same port belong to the PCP module and are ignored here.
 */
final class AnnouncementListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncementListener.class);
    /** The all-hosts group announcements go to (RFC 6886 §3.2.1). */
    static final InetSocketAddress ANNOUNCE_GROUP = new InetSocketAddress(ipv4(224, 0, 0, 1), 5350);

    private static final int MAX_CONSECUTIVE_FAILURES = 10;

    private final InetAddress gateway;
    private final GatewayMonitor monitor;
    private final DatagramChannel channel;
    private final Thread thread;

    private AnnouncementListener(InetAddress gateway, GatewayMonitor monitor, DatagramChannel channel) {
        this.gateway = gateway;
        this.monitor = monitor;
        this.channel = channel;
        this.thread = new Thread(this::run, "openport-natpmp-announce");
        this.thread.setDaemon(true);
    }

    /**
     * Starts listening on {@code address}: a multicast group is joined on the interface of {@code localAddress};
     * a unicast address (tests: loopback, port 0 for an ephemeral one) is simply bound.
     */
    static AnnouncementListener start(InetSocketAddress address, InetAddress localAddress, InetAddress gateway,
            GatewayMonitor monitor) throws IOException {
        Objects.requireNonNull(address, "address");
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true); // PCP listens on 5350 as well
            if (address.getAddress().isMulticastAddress()) {
                NetworkInterface nif = NetworkInterface.getByInetAddress(localAddress);
                if (nif == null) {
                    throw new IOException("no interface has address " + localAddress.getHostAddress());
                }
                ch.bind(new InetSocketAddress(address.getPort()));
                ch.join(address.getAddress(), nif);
            } else {
                ch.bind(address);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        AnnouncementListener l = new AnnouncementListener(gateway, monitor, ch);
        l.thread.start();
        LOG.debug("listening for NAT-PMP announcements from {} on {}", gateway.getHostAddress(), address);
        return l;
    }

    /** The port actually bound (tests bind port 0). */
    int localPort() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException e) {
            return -1;
        }
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(NatPmpClient.RECEIVE_BUFFER);
        int failures = 0;
        while (channel.isOpen()) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                handle(buffer.array(), buffer.position(), from, gateway, monitor);
                failures = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // a socket that keeps failing must not spin: give up (renewals still see reboots via the epoch)
                if (++failures >= MAX_CONSECUTIVE_FAILURES) {
                    LOG.warn("NAT-PMP announcement listener stops after {} errors: {}", failures, e.toString());
                    return;
                }
                LOG.debug("NAT-PMP announcement listener: {}", e.toString());
            }
        }
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
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the announcement socket: {}", e.toString());
        }
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
