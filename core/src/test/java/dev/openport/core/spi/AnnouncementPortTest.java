package dev.openport.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** One socket on the announcement port for NAT-PMP and PCP, each datagram handed to its protocol. */
class AnnouncementPortTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return s.getLocalPort();
        }
    }

    private static long threads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive())
                .count();
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Test
    void natPmpAndPcpShareOneSocketAndEachGetsItsOwnVersion() throws Exception {
        long before = threads("openport-announce");
        InetSocketAddress bind = new InetSocketAddress(LOOPBACK, freePort());
        LinkedBlockingQueue<String> natpmp = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> pcp = new LinkedBlockingQueue<>();
        AnnouncementPort.Subscription a = AnnouncementPort.subscribe(bind, null, LOOPBACK, LOOPBACK, 0,
                (data, length, from, at) -> natpmp.add("v" + data[0] + " len " + length));
        AnnouncementPort.Subscription b = AnnouncementPort.subscribe(bind, null, LOOPBACK, LOOPBACK, 2,
                (data, length, from, at) -> pcp.add("v" + data[0] + " len " + length));
        try (DatagramSocket gateway = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(
                        InetAddress.getByAddress(new byte[] {127, 0, 0, 2}), 0))) {
            assertThat(a.localPort()).isEqualTo(b.localPort()).isEqualTo(bind.getPort());
            assertThat(threads("openport-announce")).isEqualTo(before + 1);   // one socket, one thread
            stranger.send(new DatagramPacket(new byte[12], 12, bind));       // not from the gateway: nobody's
            gateway.send(new DatagramPacket(new byte[] {2, (byte) 0x80, 0, 0}, 4, bind));
            gateway.send(new DatagramPacket(new byte[12], 12, bind));
            gateway.send(new DatagramPacket(new byte[] {1, 0}, 2, bind));      // another version: nobody's
            assertThat(pcp.poll(2, TimeUnit.SECONDS)).isEqualTo("v2 len 4");
            assertThat(natpmp.poll(2, TimeUnit.SECONDS)).isEqualTo("v0 len 12");
            assertThat(natpmp.poll(200, TimeUnit.MILLISECONDS)).isNull();
            assertThat(pcp.poll(10, TimeUnit.MILLISECONDS)).isNull();

            a.close();   // PCP keeps listening
            assertThat(threads("openport-announce")).isEqualTo(before + 1);
            gateway.send(new DatagramPacket(new byte[] {2, 1}, 2, bind));
            assertThat(pcp.poll(2, TimeUnit.SECONDS)).isEqualTo("v2 len 2");
        } finally {
            b.close();
        }
        assertThat(await(() -> threads("openport-announce") == before)).isTrue();
        // the port is free again
        try (DatagramSocket again = new DatagramSocket(bind)) {
            assertThat(again.getLocalPort()).isEqualTo(bind.getPort());
        }
    }

    @Test
    void ephemeralBindsAreNeverShared() throws Exception {
        InetSocketAddress any = new InetSocketAddress(LOOPBACK, 0);
        try (AnnouncementPort.Subscription a = AnnouncementPort.subscribe(any, null, LOOPBACK, LOOPBACK, 0,
                (d, l, f, t) -> { });
                AnnouncementPort.Subscription b = AnnouncementPort.subscribe(any, null, LOOPBACK, LOOPBACK, 2,
                        (d, l, f, t) -> { })) {
            assertThat(a.localPort()).isNotEqualTo(b.localPort());
        }
    }
}
