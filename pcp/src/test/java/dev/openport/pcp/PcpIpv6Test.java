package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The PCP client over the IPv6 loopback, with the IPv6 quirks of miniupnpd seen in the lab. */
class PcpIpv6Test extends LoopbackPcpServerTest {
    /** A server on the IPv6 loopback, its external address ::1 too; skips the test on a host without one. */
    private FakePcpServer ipv6Server() throws IOException {
        InetAddress v6 = InetAddress.getByName("::1");
        FakePcpServer six;
        try {
            six = new FakePcpServer(v6);
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback: " + e);
            throw e;
        }
        closeLater.add(six);
        six.externalAddress = v6;
        return six;
    }

    private PcpPortMapper ipv6Mapper(FakePcpServer six) throws IOException {
        InetAddress v6 = six.address().getAddress();
        PcpPortMapper m = new PcpPortMapper(new ProbeContext(v6, v6, Duration.ofSeconds(2), six.port(), null, false));
        closeLater.add(m);
        return m;
    }

    @Test
    void miniupnpdAnswersAnIpv6PinholeRenewalWithExternalPort0() throws Exception {
        FakePcpServer six = ipv6Server();
        // seen in the lab: a renewal of a pinhole that suggests no external port is answered with port 0
        six.responder = (req, raw, s) -> List.of(s.reply(req, 0, req.lifetime(), new PcpPayload.Map(
                req.map().nonce(), req.map().protocol(), req.map().internalPort(), 0, s.externalAddress)));
        PortMapping m = ipv6Mapper(six).map(MappingRequest.of(Transport.UDP, 5002).withExternalPort(0));
        assertThat(m.externalPort()).isEqualTo(5002);
    }

    @Test
    void miniupnpdRefusesToDeleteARenewedIpv6PinholeSoTheLeaseIsCutShort() throws Exception {
        FakePcpServer six = ipv6Server();
        AtomicInteger maps = new AtomicInteger();
        // seen in the lab (miniupnpd 2.3.1): after a renewal, lifetime 0 gets NOT_AUTHORIZED whatever the nonce,
        // while a MAP with the right nonce is still accepted, with at least 120 s
        six.responder = (req, raw, s) -> {
            if (req.lifetime() == 0) {
                return List.of(s.reply(req, maps.get() >= 2 ? 2 : 0, 0, req.payload()));
            }
            maps.incrementAndGet();
            return List.of(s.reply(req, 0, Math.max(120, req.lifetime()), new PcpPayload.Map(req.map().nonce(),
                    req.map().protocol(), req.map().internalPort(), req.map().internalPort(), s.externalAddress)));
        };
        PcpPortMapper m = ipv6Mapper(six);
        PortMapping made = m.renew(m.map(MappingRequest.of(Transport.TCP, 5003)));
        assertThatThrownBy(() -> m.unmap(made)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
            assertThat(e.protocolCode()).hasValue(2);
            assertThat(e.getMessage()).contains("cut to 120 s");
        });
        PcpMessage last = six.requests().get(six.requests().size() - 1);
        assertThat(last.lifetime()).isEqualTo(1);
        assertThat(last.map().nonce().toHex()).isEqualTo(made.protocolState().text());
    }

    @Test
    void mapsOverIpv6Loopback() throws Exception {
        FakePcpServer six = ipv6Server();
        InetAddress v6 = six.address().getAddress();
        ProbeContext ctx = new ProbeContext(v6, v6, Duration.ofSeconds(2), six.port(), null, false);
        try (PcpPortMapper m = new PcpPortMapper(ctx)) {
            m.announce();
            PortMapping made = m.map(MappingRequest.of(Transport.TCP, 5001).withExternalPort(0));
            assertThat(made.externalAddress()).isEqualTo(v6);
            PcpMessage sent = six.requests().get(1);
            assertThat(sent.clientAddress()).isEqualTo(v6);
            assertThat(sent.map().externalAddress()).isEqualTo(PcpAddresses.IPV6_UNSPECIFIED);
            m.unmap(made);
            assertThat(six.hasMapping(6, 5001)).isFalse();
        }
    }
}
