package dev.openport.natpmp;

import static dev.openport.natpmp.FakeNatPmpGateway.ipv4;
import static dev.openport.natpmp.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.spi.GatewayEvent;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * External-address announcements (RFC 6886 §3.2.1). Unit tests never multicast: the handler is fed bytes
 * directly, and the listener thread is bound to a loopback unicast port instead of 224.0.0.1:5350.
 */
class AnnouncementListenerTest {
    private static final InetAddress GW = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress FROM_GW = new InetSocketAddress(GW, 5351);

    private final AtomicLong now = new AtomicLong();
    private final LinkedBlockingQueue<GatewayEvent> events = new LinkedBlockingQueue<>();

    private GatewayMonitor monitor() {
        GatewayMonitor m = new GatewayMonitor(GW, now::get);
        m.addListener(events::add);
        return m;
    }

    private static byte[] announcement(long epoch, String address) {
        return NatPmpCodec.encode(new NatPmpResponse.ExternalAddress(0, epoch, ipv4(address)));
    }

    @Test
    void announcementAfterAGatewayRebootFiresStateLost() throws Exception {
        try (GatewayMonitor m = monitor()) {
            byte[] a = announcement(7200, "203.0.113.1");
            assertThat(AnnouncementListener.handle(a, a.length, FROM_GW, GW, m)).isTrue();
            now.addAndGet(5_000_000_000L);
            byte[] b = announcement(0, "203.0.113.1"); // RFC 6886 §3.2.1: sent on reboot with a fresh epoch
            assertThat(AnnouncementListener.handle(b, b.length, FROM_GW, GW, m)).isTrue();
            GatewayEvent e = events.poll(2, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            assertThat(e.kind()).isEqualTo(GatewayEvent.Kind.STATE_LOST);
        }
    }

    @Test
    void newAddressFiresExternalAddressChanged() throws Exception {
        try (GatewayMonitor m = monitor()) {
            byte[] a = announcement(100, "203.0.113.1");
            AnnouncementListener.handle(a, a.length, FROM_GW, GW, m);
            byte[] b = announcement(101, "203.0.113.99");
            AnnouncementListener.handle(b, b.length, FROM_GW, GW, m);
            byte[] repeat = announcement(101, "203.0.113.99"); // the gateway repeats each announcement
            AnnouncementListener.handle(repeat, repeat.length, FROM_GW, GW, m);
            GatewayEvent e = events.poll(2, TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            assertThat(e.kind()).isEqualTo(GatewayEvent.Kind.EXTERNAL_ADDRESS_CHANGED);
            assertThat(m.externalAddress()).hasValue(ipv4("203.0.113.99"));
            assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void onlyTheGatewaysAddressIsBelieved() throws Exception {
        try (GatewayMonitor m = monitor()) {
            byte[] a = announcement(100, "203.0.113.1");
            AnnouncementListener.handle(a, a.length, FROM_GW, GW, m);
            byte[] spoof = announcement(0, "6.6.6.6");
            assertThat(AnnouncementListener.handle(spoof, spoof.length,
                    new InetSocketAddress(ipv4("127.0.0.2"), 5351), GW, m)).isFalse();
            assertThat(m.externalAddress()).hasValue(ipv4("203.0.113.1"));
            assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void pcpAnnounceMalformedAndErrorPacketsAreIgnored() {
        try (GatewayMonitor m = monitor()) {
            byte[][] ignored = {
                bytes("028000000000000000000000000000000000000000000000"), // PCP ANNOUNCE, epoch 0
                bytes("0080000000000001c0a8b2"),                           // truncated
                bytes("008000030000000100000000"),                         // network failure
                bytes("0081000000000001007b01c8000004b0"),                 // a map response
                new byte[0],
            };
            for (byte[] b : ignored) {
                assertThat(AnnouncementListener.handle(b, b.length, FROM_GW, GW, m)).as(Hex.hex(b)).isFalse();
            }
            assertThat(m.externalAddress()).isEmpty();
        }
    }

    @Test
    void listenerThreadOnALoopbackPortDeliversAnnouncementsAndStopsOnClose() throws Exception {
        try (FakeNatPmpGateway gw = new FakeNatPmpGateway()) {
            ProbeContext ctx = new ProbeContext(GW, GW, Duration.ofSeconds(2), gw.port(), null, false);
            NatPmpPortMapper mapper = new NatPmpPortMapper(ctx, new InetSocketAddress(GW, 0), Clock.systemUTC());
            try {
                gw.epoch(9000L);
                mapper.externalAddress();
                mapper.addListener(events::add);
                int port = mapper.announcePort();
                assertThat(port).isPositive();
                assertThat(Await.threadAlive("openport-announce")).isTrue();
                InetSocketAddress to = new InetSocketAddress(GW, port);
                // a spoofed reboot announcement from another host first: must change nothing
                gw.sendFromOtherAddress(announcement(0, "6.6.6.6"), to);
                gw.sendFromGateway(announcement(0, "203.0.113.7"), to);
                GatewayEvent e = events.poll(2, TimeUnit.SECONDS);
                assertThat(e).isNotNull();
                assertThat(e.kind()).isEqualTo(GatewayEvent.Kind.STATE_LOST);
                assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull(); // no address change from the spoof
            } finally {
                mapper.close();
            }
            assertThat(Await.until(Duration.ofSeconds(2), () -> !Await.threadAlive("openport-announce")))
                    .isTrue();
        }
    }
}
