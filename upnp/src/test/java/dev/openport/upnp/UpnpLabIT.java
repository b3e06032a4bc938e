package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import dev.openport.core.testing.GatewayLab;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Interop with real miniupnpd 2.3.1 in the gateway lab (lab/README.md). Skipped unless {@code -DOPENPORT_LAB=1};
 * runs inside the lab's LAN namespace as root, under the lab lock:
 *
 * <pre>
 * flock /tmp/openport-lab.lock bash lab/gateway-lab exec \
 *     mvn -o -q -pl upnp test -Dtest=UpnpLabIT -DOPENPORT_LAB=1 -Dopenport.loopbackOnly=false
 * </pre>
 *
 * It switches the lab to IGD:2 and restarts it on a new HTTP port, and always restores the defaults
 * ({@code gateway-lab up}) afterwards. The call-to-mapping timings are written to
 * {@code target/upnp-lab-timings.txt}.
 */
@EnabledIfSystemProperty(named = "OPENPORT_LAB", matches = "1")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpnpLabIT {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpLabIT.class);
    private static final InetAddress GW = addr("198.18.0.1");
    private static final InetAddress CLIENT = addr("198.18.0.2");
    private static final String WAN_IP = "203.0.113.1";
    private static final List<String> REPORT = Collections.synchronizedList(new ArrayList<>());

    private static InetAddress addr(String s) {
        return MiniHttp.parseLiteral(s);
    }

    private static ProbeContext ctx() {
        return new ProbeContext(GW, CLIENT, Duration.ofSeconds(3), 0, null, true);
    }

    @BeforeEach
    void freshDiscovery() {
        Discovery.forget(GW);
    }

    @AfterAll
    static void restoreLabAndWriteReport() throws Exception {
        lab("up");
        Files.write(Path.of("target", "upnp-lab-timings.txt"), REPORT);
    }

    @Test
    @Order(1)
    void igd1MapTcpAndUdpWanHostReachesThemListEqualsUpnpcUnmapCloses() throws Exception {
        lab("up");
        roundTrip("igd1", 40100);
    }

    @Test
    @Order(2)
    void igd2MapTcpAndUdpWanHostReachesThemListEqualsUpnpcUnmapCloses() throws Exception {
        lab("up", "--igd2");
        try {
            UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx());
            assertThat(m.service().serviceType()).endsWith("WANIPConnection:2");
            roundTrip("igd2", 40200);
            // IGD:2 lets the gateway choose: AddAnyPortMapping
            PortMapping any = m.map(MappingRequest.of(Transport.UDP, 40250).withExternalPort(0));
            assertThat(any.externalPort()).isEqualTo(40250);
            m.unmap(any);
        } finally {
            lab("up");
        }
    }

    @Test
    @Order(3)
    void afterRestartOnANewHttpPortTheStaleControlUrlIsDetectedAndANewMapWorks() throws Exception {
        lab("up");
        UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx());
        int oldPort = m.service().controlUrl().getPort();
        PortMapping before = m.map(MappingRequest.of(Transport.TCP, 40300));
        assertThat(nftRules()).contains("dport " + before.externalPort());
        lab("restart", "--new-http-port");
        try {
            PortMapping after = m.map(MappingRequest.of(Transport.TCP, 40301));
            int newPort = m.service().controlUrl().getPort();
            REPORT.add("restart --new-http-port: control URL port " + oldPort + " -> " + newPort);
            assertThat(newPort).isNotEqualTo(oldPort);
            assertThat(nftRules()).contains("dport 40301");
            m.unmap(after);
        } finally {
            lab("up");
        }
    }

    @Test
    @Order(4)
    void realRouterRefusalsAreTypedErrorsAndLeaveNoRules() throws Exception {
        lab("up");
        UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx());
        // secure mode: a mapping for another LAN host is 718; never ours, so no success is faked
        PortMappingException conflict = org.junit.jupiter.api.Assertions.assertThrows(PortMappingException.class,
                () -> m.map(MappingRequest.of(Transport.TCP, 40400).withInternalAddress(addr("198.18.0.7"))
                        .requireExactExternalPort()));
        assertThat(conflict.reason()).isEqualTo(PortMappingException.Reason.CONFLICT);
        assertThat(conflict.protocolCode()).hasValue(718);
        // the permission rules allow 1024-65535 only: 606
        PortMappingException denied = org.junit.jupiter.api.Assertions.assertThrows(PortMappingException.class,
                () -> m.map(MappingRequest.of(Transport.TCP, 80)));
        assertThat(denied.reason()).isEqualTo(PortMappingException.Reason.NOT_AUTHORIZED);
        assertThat(denied.protocolCode()).hasValue(606);
        assertThat(nftRules()).doesNotContain("dport");
        // deleting what is not there succeeds
        PortMapping p = m.map(MappingRequest.of(Transport.UDP, 40401));
        m.unmap(p);
        m.unmap(p);
    }

    @Test
    @Order(5)
    void callToMappingTimeIncludingDiscovery() throws Exception {
        lab("up");
        int runs = 25;
        List<Long> cold = new ArrayList<>();
        List<Long> warm = new ArrayList<>();
        List<Long> mapOnly = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Discovery.forget(GW);
            long t0 = System.nanoTime();
            UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx());
            PortMapping p = m.map(MappingRequest.of(Transport.TCP, 41000 + i));
            cold.add(System.nanoTime() - t0);
            m.unmap(p);

            long t1 = System.nanoTime();
            UpnpPortMapper w = (UpnpPortMapper) new UpnpProvider().probe(ctx()); // remembered LOCATION
            PortMapping q = w.map(MappingRequest.of(Transport.UDP, 41000 + i));
            warm.add(System.nanoTime() - t1);

            long t2 = System.nanoTime();
            PortMapping r = w.map(MappingRequest.of(Transport.TCP, 42000 + i));
            mapOnly.add(System.nanoTime() - t2);
            w.unmap(q);
            w.unmap(r);
        }
        REPORT.add(summary("probe(SSDP)+map, cold cache", cold));
        REPORT.add(summary("probe(remembered LOCATION)+map", warm));
        REPORT.add(summary("map only (AddPortMapping)", mapOnly));
        REPORT.forEach(line -> LOG.info("{}", line));
        assertThat(median(cold)).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    @Order(6)
    void checkRepairAndADroppedEntryOnTheRealRouter() throws Exception {
        lab("up");
        UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx());
        PortMapping p = m.map(MappingRequest.of(Transport.UDP, 40600));
        try {
            dev.openport.core.MappingCheck held = m.check(p);
            assertThat(held.state()).isEqualTo(dev.openport.core.MappingCheck.State.HELD);
            assertThat(held.internalClient()).isEqualTo(CLIENT);
            assertThat(held.externalAddress().getHostAddress()).isEqualTo(WAN_IP);
            assertThat(held.leaseRemaining()).isPositive();
            PortMapping repaired = m.repair(p);
            assertThat(repaired.externalPort()).isEqualTo(40600);
            assertThat(wanReachesUdp(40600)).as("WAN host reaches the repaired mapping").isTrue();
            // the router drops it (another tool deletes it): check says MISSING, renew brings it back
            GatewayLab.run(List.of("upnpc", "-i", "-u", m.location().toString(), "-d", "40600", "UDP"), 10);
            assertThat(m.check(p).state()).isEqualTo(dev.openport.core.MappingCheck.State.MISSING);
            m.renew(p);
            assertThat(wanReachesUdp(40600)).as("WAN host reaches the re-added mapping").isTrue();
        } finally {
            m.unmap(p);
        }
        assertThat(nftRules()).doesNotContain("dport 40600");
    }

    // ---- the round trip of one IGD version ----

    private void roundTrip(String label, int port) throws Exception {
        UpnpPortMapper m = (UpnpPortMapper) new UpnpProvider().probe(ctx());
        REPORT.add(label + ": location " + m.location() + ", service " + m.service().serviceType());
        assertThat(m.externalAddress().getHostAddress()).isEqualTo(WAN_IP);
        PortMapping tcp = m.map(MappingRequest.of(Transport.TCP, port).withDescription("openport-lab tcp"));
        PortMapping udp = m.map(MappingRequest.of(Transport.UDP, port).withDescription("openport-lab udp"));
        try {
            assertThat(tcp.externalPort()).isEqualTo(port);
            assertThat(udp.externalPort()).isEqualTo(port);
            String rules = nftRules();
            // miniupnpd's nft rules match the IP protocol byte: 0x6 TCP, 0x11 UDP
            assertThat(rules).contains("0x6 th dport " + port + " dnat ip to 198.18.0.2:" + port)
                    .contains("0x11 th dport " + port + " dnat ip to 198.18.0.2:" + port);

            assertThat(wanReachesTcp(port)).as("WAN host reaches the TCP mapping").isTrue();
            assertThat(wanReachesUdp(port)).as("WAN host reaches the UDP mapping").isTrue();

            Set<String> ours = new HashSet<>();
            for (PortMapping p : m.list()) {
                ours.add(p.transport().name() + " " + p.externalPort() + "->" + p.internalAddress().getHostAddress()
                        + ":" + p.internalPort() + " '" + p.request().description() + "'");
            }
            Set<String> upnpc = upnpcList(m.location().toString());
            REPORT.add(label + ": list() = " + ours + ", upnpc -l = " + upnpc);
            assertThat(ours).isEqualTo(upnpc).isNotEmpty();

            PortMapping renewed = m.renew(tcp);
            assertThat(renewed.externalPort()).isEqualTo(port);
        } finally {
            m.unmap(tcp);
            m.unmap(udp);
        }
        String rules = nftRules();
        assertThat(rules).doesNotContain("dport " + port + " ");
        assertThat(wanReachesTcp(port)).as("unmapped TCP port is closed").isFalse();
        assertThat(m.list()).noneMatch(p -> p.externalPort() == port);
    }

    // ---- lab helpers ----

    private static void lab(String... args) throws Exception {
        GatewayLab.command(60, args);
    }

    private static String nftRules() throws Exception {
        return GatewayLab.miniupnpdRules();
    }

    private static Set<String> upnpcList(String location) throws Exception {
        String out = GatewayLab.run(List.of("upnpc", "-i", "-u", location, "-l"), 20).out();
        Set<String> s = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*\\d+\\s+(TCP|UDP)\\s+(\\d+)->([0-9.]+):(\\d+)\\s+'([^']*)'").matcher(out);
        while (m.find()) {
            s.add(m.group(1) + " " + m.group(2) + "->" + m.group(3) + ":" + m.group(4) + " '" + m.group(5) + "'");
        }
        return s;
    }

    private static boolean wanReachesTcp(int port) throws Exception {
        return GatewayLab.tcpFromWan(new InetSocketAddress(CLIENT, port), "nc -N -w 2 " + WAN_IP + " " + port);
    }

    private static boolean wanReachesUdp(int port) throws Exception {
        return GatewayLab.udpFromWan(new InetSocketAddress(CLIENT, port), "nc -u -w 1 " + WAN_IP + " " + port);
    }

    // ---- numbers ----

    private static long median(List<Long> ns) {
        List<Long> s = new ArrayList<>(ns);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static String summary(String what, List<Long> ns) {
        List<Long> s = new ArrayList<>(ns);
        Collections.sort(s);
        return String.format("%s: n=%d median %.1f ms, min %.1f ms, p90 %.1f ms, max %.1f ms", what, s.size(),
                median(s) / 1e6, s.get(0) / 1e6, s.get((int) Math.ceil(s.size() * 0.9) - 1) / 1e6,
                s.get(s.size() - 1) / 1e6);
    }
}
