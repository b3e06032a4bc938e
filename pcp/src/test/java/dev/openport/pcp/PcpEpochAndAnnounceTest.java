package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import dev.openport.core.spi.GatewayEvent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The epoch check (RFC 6887 §8.5) and ANNOUNCE reception, against an in-process PCP server on loopback. */
class PcpEpochAndAnnounceTest extends LoopbackPcpServerTest {
    @Test
    void epochGoingBackwardsIsReportedAsStateLost() throws Exception {
        PcpPortMapper m = mapper();
        List<GatewayEvent> events = new CopyOnWriteArrayList<>();
        m.addListener(events::add);
        server.epoch.set(5000);
        PortMapping made = m.map(MappingRequest.of(Transport.TCP, 9000));
        assertThat(m.lastEpoch()).isEqualTo(5000);
        // the server "reboots": epoch back to a few seconds, table empty
        server.epoch.set(3);
        server.forgetAll();
        PortMapping renewed = m.renew(made);
        assertThat(renewed.externalPort()).isEqualTo(made.externalPort());
        assertThat(server.hasMapping(6, 9000)).isTrue();
        await(() -> !events.isEmpty(), "a STATE_LOST event");
        assertThat(events.get(0).kind()).isEqualTo(GatewayEvent.Kind.STATE_LOST);
        assertThat(events.get(0).detail()).contains("5000").contains("3");
        assertThat(events.get(0).protocol()).isEqualTo(MappingProtocol.PCP);
    }

    @Test
    void steadyEpochRaisesNoEvent() throws Exception {
        PcpPortMapper m = mapper();
        List<GatewayEvent> events = new CopyOnWriteArrayList<>();
        m.addListener(events::add);
        PortMapping made = m.map(MappingRequest.of(Transport.TCP, 9001));
        m.renew(made);
        m.unmap(made);
        // a later, provoked event proves the queue ran: nothing came before it
        server.epoch.set(0);
        m.map(MappingRequest.of(Transport.TCP, 9002));
        await(() -> !events.isEmpty(), "the provoked event");
        assertThat(events).hasSize(1);
    }

    @Test
    void announceFromTheServerIsDeliveredAndSpoofedOnesAreNot() throws Exception {
        PcpPortMapper m = new PcpPortMapper(context(Duration.ofSeconds(2)), new AnnounceListener.Config(true,
                new InetSocketAddress(LOOPBACK, 0), null));
        closeLater.add(m);
        List<GatewayEvent> events = new CopyOnWriteArrayList<>();
        m.addListener(events::add);
        int port = m.announcePort();
        assertThat(port).isPositive();
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
        byte[] lost = PcpCodec.encode(PcpMessage.response(2, 0, 0, 0, 0, null, List.of()));
        m.map(MappingRequest.of(Transport.UDP, 9100));   // epoch 1000 known
        try (DatagramChannel spoofer = DatagramChannel.open()) {
            spoofer.send(ByteBuffer.wrap(lost), to);   // right bytes, wrong source
        }
        server.send(to, PcpCodec.encode(PcpMessage.response(2, 0, 0, 0, 1000, null, List.of())));
        await(() -> !events.isEmpty(), "a RECHECK event");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).kind()).isEqualTo(GatewayEvent.Kind.RECHECK);
        // a server that restarted announces a young epoch: state lost
        server.send(to, lost);
        await(() -> events.size() == 2, "a STATE_LOST event");
        assertThat(events.get(1).kind()).isEqualTo(GatewayEvent.Kind.STATE_LOST);
    }

    @Test
    void announceThreadStopsOnClose() throws Exception {
        PcpPortMapper m = new PcpPortMapper(context(Duration.ofSeconds(2)), new AnnounceListener.Config(true,
                new InetSocketAddress(LOOPBACK, 0), null));
        m.addListener(e -> { });
        await(() -> threadAlive("openport-announce"), "the ANNOUNCE thread");
        m.close();
        await(() -> !threadAlive("openport-announce"), "the ANNOUNCE thread to stop");
    }

    @Test
    void noAnnounceListenerWithoutMulticast() throws Exception {
        PcpPortMapper m = mapper();
        m.addListener(e -> { });
        assertThat(m.announcePort()).isEqualTo(-1);
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

}
