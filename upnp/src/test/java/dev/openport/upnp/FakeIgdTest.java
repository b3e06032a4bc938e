package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The whole client against an in-process IGD on loopback, real UDP and HTTP bytes: discovery and rediscovery. */
class FakeIgdTest extends LoopbackIgdTest {
    @Test
    void providerIsFoundByServiceLoader() {
        assertThat(ServiceLoader.load(PortMapperProvider.class).stream().map(p -> p.get().protocol()))
                .contains(MappingProtocol.UPNP);
    }

    @Test
    void secondProbeUsesTheRememberedLocationWithoutSsdp() throws Exception {
        probeKeepingRequests().close();
        int queries = igd.ssdpQueries.get();
        probeKeepingRequests().close();
        assertThat(igd.ssdpQueries.get()).isEqualTo(queries);
        assertThat(igd.descriptionFetches.get()).isEqualTo(2);
    }

    @Test
    void locationSeededFromAnEarlierProcessSkipsSsdp() throws Exception {
        UpnpLocations.seed(LO, igd.ssdpPort(), igd.location());
        probeKeepingRequests().close();
        assertThat(igd.ssdpQueries.get()).isZero();
        assertThat(UpnpLocations.remembered(LO, igd.ssdpPort())).isEqualTo(igd.location());
    }

    @Test
    void staleSeededLocationFallsBackToSsdpAndRemembersTheNewOne() throws Exception {
        UpnpLocations.seed(LO, igd.ssdpPort(), URI.create("http://127.0.0.1:9/rootDesc.xml"));
        probeKeepingRequests().close();
        assertThat(igd.ssdpQueries.get()).isPositive();
        assertThat(UpnpLocations.remembered(LO, igd.ssdpPort())).isEqualTo(igd.location());
    }

    @Test
    void knownLocationSkipsSsdp() throws Exception {
        ProbeContext c = new ProbeContext(LO, LO, Duration.ofSeconds(2), 9, igd.location(), false);
        try (PortMapper m = new UpnpProvider().probe(c)) {
            assertThat(m.map(MappingRequest.of(Transport.TCP, 5100)).externalPort()).isEqualTo(5100);
        }
        assertThat(igd.ssdpQueries.get()).isZero();
    }

    @Test
    void routerAnsweringOnlyUnicastIsFound() throws Exception {
        igd.answerMulticast = false;
        Discovery.Found f = SsdpSearch.search(ctx(), deadline(2000), igd.multicastStandIn());
        assertThat(f.connection().controlUrl().getPort()).isEqualTo(igd.httpPort());
    }

    @Test
    void routerAnsweringOnlyMulticastIsFound() throws Exception {
        igd.answerUnicast = false;
        Discovery.Found f = SsdpSearch.search(ctx(), deadline(2000), igd.multicastStandIn());
        assertThat(f.connection().controlUrl().getPort()).isEqualTo(igd.httpPort());
    }

    @Test
    void gatewayAnsweringOnlySsdpAllWithItsRootDeviceIsFound() throws Exception {
        igd.onlyRootDeviceToSsdpAll = true;
        try (PortMapper m = probeKeepingRequests()) {
            assertThat(m.map(MappingRequest.of(Transport.UDP, 5024)).externalPort()).isEqualTo(5024);
        }
    }

    @Test
    void ssdpAnswerFromAnotherSourcePortIsAccepted() throws Exception {
        igd.answerFromOtherPort = true;
        try (PortMapper m = probeKeepingRequests()) {
            assertThat(m.externalAddress()).isNotNull();
        }
    }

    @Test
    void searchReturnsOnTheFirstAnswerInsteadOfWaitingOutMx() throws Exception {
        long t0 = System.nanoTime();
        probeKeepingRequests().close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(900));
    }

    @Test
    void ssdpAnswerWithLocationOnAPublicAddressIsIgnored() {
        // were it fetched, NetworkGuard (loopback only) would throw IllegalStateException instead
        igd.locationOverride = "http://8.8.8.8:80/rootDesc.xml";
        ProbeContext c = new ProbeContext(LO, LO, Duration.ofMillis(700), igd.ssdpPort(), null, false);
        assertThatThrownBy(() -> new UpnpProvider().probe(c)).isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(igd.ssdpQueries.get()).isPositive();
        assertThat(igd.descriptionFetches.get()).isZero();
    }

    @Test
    void ssdpAnswerFromAnotherHostThanTheGatewayIsIgnored() throws Exception {
        // the gateway is 127.0.0.2 and stays silent; an IGD at 127.0.0.1 answers the "multicast" search. It is
        // not the NAT we leave through: mapping there would not make us reachable (and was once reported
        // under the wrong gateway), so it must not be used
        InetAddress gateway = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        ProbeContext c = new ProbeContext(gateway, LO, Duration.ofMillis(600), igd.ssdpPort(), null, false);
        assertThatThrownBy(() -> SsdpSearch.search(c, deadline(600), igd.multicastStandIn()))
                .isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(igd.ssdpQueries.get()).as("the other IGD did answer").isPositive();
        assertThat(igd.descriptionFetches.get()).isZero();
    }

    @Test
    void nothingAnsweringEndsInTimeoutWithinTheDeadline() throws Exception {
        igd.answerUnicast = false;
        ProbeContext c = new ProbeContext(LO, LO, Duration.ofMillis(600), igd.ssdpPort(), null, false);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new UpnpProvider().probe(c)).isInstanceOf(PortMappingException.class)
                .extracting(e -> ((PortMappingException) e).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        assertThat(igd.ssdpQueries.get()).as("resends for loss").isGreaterThan(Ssdp.SEARCH_TARGETS.size());
    }

    @Test
    void twoWanConnectionDevicesWithOneDownPicksTheConnectedOne() throws Exception {
        igd.twoConnectionDevicesFirstDown = true;
        assertThat(igd.description()).contains("/ctl/Down");
        try (UpnpPortMapper m = probeKeepingRequests()) {
            assertThat(m.service().controlUrl().getPath()).isEqualTo("/ctl/IPConn");
            assertThat(m.map(MappingRequest.of(Transport.TCP, 5020)).externalAddress().getHostAddress())
                    .isEqualTo("203.0.113.1");
        }
        assertThat(igd.requests("GetStatusInfo")).isNotEmpty();
    }

    @Test
    void routerRebootOntoANewHttpPortIsRediscovered() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            int oldPort = igd.httpPort();
            m.map(MappingRequest.of(Transport.TCP, 5015));
            igd.restartOnNewHttpPort();
            assertThat(igd.httpPort()).isNotEqualTo(oldPort);
            PortMapping a = m.map(MappingRequest.of(Transport.TCP, 5016));
            assertThat(a.externalPort()).isEqualTo(5016);
            assertThat(m.service().controlUrl().getPort()).isEqualTo(igd.httpPort());
            assertThat(Discovery.remembered(ctx()).getPort()).isEqualTo(igd.httpPort());
        }
    }

    @Test
    void routerRebootWithNewControlPathsAnswering404IsRediscovered() throws Exception {
        try (UpnpPortMapper m = probeKeepingRequests()) {
            m.map(MappingRequest.of(Transport.UDP, 5022));
            igd.controlPath = "/69692b70/ctl/IPConn";
            PortMapping a = m.map(MappingRequest.of(Transport.UDP, 5023));
            assertThat(a.externalPort()).isEqualTo(5023);
            assertThat(m.service().controlUrl().getPath()).isEqualTo("/69692b70/ctl/IPConn");
        }
    }

    @Test
    void staleRememberedLocationFallsBackToSsdp() throws Exception {
        probeKeepingRequests().close();
        igd.restartOnNewHttpPort();
        try (UpnpPortMapper m = probeKeepingRequests()) {
            assertThat(m.location().getPort()).isEqualTo(igd.httpPort());
        }
    }

    private static long deadline(long ms) {
        return System.nanoTime() + ms * 1_000_000L;
    }
}
