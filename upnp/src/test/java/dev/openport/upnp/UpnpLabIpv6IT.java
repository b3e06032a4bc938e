package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.testing.GatewayLab;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPv6 pinholes (WANIPv6FirewallControl:1) against miniupnpd in the gateway lab started with
 * {@code --ipv6 --igd2} (miniupnpd 2.3.1 lists WANIPv6FirewallControl only in its IGD:2 description).
 * Switching IPv6 rebuilds the lab's namespaces, so it cannot be done from inside this JVM; the caller does it:
 *
 * <pre>
 * flock /tmp/openport-lab.lock sh -c 'bash lab/gateway-lab up --ipv6 --igd2 &amp;&amp; bash lab/gateway-lab exec \
 *     mvn -o -q -pl upnp test -Dtest=UpnpLabIpv6IT -DOPENPORT_LAB_IPV6=1 -Dopenport.loopbackOnly=false; \
 *     rc=$?; bash lab/gateway-lab up; exit $rc'
 * </pre>
 */
@EnabledIfSystemProperty(named = "OPENPORT_LAB_IPV6", matches = "1")
class UpnpLabIpv6IT {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpLabIpv6IT.class);
    private static final InetAddress GW6 = MiniHttp.parseLiteral("2001:db8:1::1");
    private static final InetAddress CLIENT6 = MiniHttp.parseLiteral("2001:db8:1::2");

    @BeforeEach
    void fresh() {
        Discovery.forget(GW6);
    }

    @Test
    void pinholeOpensForTheWanHostRenewsAndCloses() throws Exception {
        ProbeContext ctx = new ProbeContext(GW6, CLIENT6, Duration.ofSeconds(3), 0,
                URI.create("http://[2001:db8:1::1]:2869/rootDesc.xml"), false);
        UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx);
        int port = 40600;
        PortMapping p = m.map(MappingRequest.of(Transport.TCP, port).withLifetime(Duration.ofMinutes(10)));
        try {
            assertThat(p.protocolState().text()).startsWith("upnp-pinhole;id=");
            assertThat(p.externalAddress()).isEqualTo(CLIENT6);
            assertThat(wanReaches(port)).as("WAN host reaches the pinhole").isTrue();
            PortMapping r = m.renew(p);
            assertThat(r.protocolState().text()).isEqualTo(p.protocolState().text());
            assertThat(m.check(p).state()).as("GetPinholePackets").isEqualTo(dev.openport.core.MappingCheck.State.HELD);
        } finally {
            m.unmap(p);
        }
        assertThat(wanReaches(port)).as("deleted pinhole is closed").isFalse();
        assertThat(m.check(p).state()).isEqualTo(dev.openport.core.MappingCheck.State.MISSING);
        m.unmap(p); // miniupnpd answers 402 for an unknown ID: already gone = success
    }

    @Test
    void unicastSsdpOverIpv6FindsTheGateway() throws Exception {
        ProbeContext ctx = new ProbeContext(GW6, CLIENT6, Duration.ofSeconds(3), 0, null, false);
        long t0 = System.nanoTime();
        UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx);
        LOG.info("IPv6 unicast SSDP probe took {} ms, location {}", (System.nanoTime() - t0) / 1_000_000,
                m.location());
        assertThat(m.location().getHost()).isEqualTo("[2001:db8:1::1]");
    }

    private static boolean wanReaches(int port) throws Exception {
        return GatewayLab.tcpFromWan(new InetSocketAddress(CLIENT6, port), "nc -6 -N -w 2 2001:db8:1::2 " + port);
    }
}
