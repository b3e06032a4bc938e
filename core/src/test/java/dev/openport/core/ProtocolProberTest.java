package dev.openport.core;

import static dev.openport.core.MappingProtocol.NAT_PMP;
import static dev.openport.core.MappingProtocol.PCP;
import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.spi.PortMapperProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProtocolProberTest {
    private final FakeGateway gw = FakeGateway.loopback();

    private DiscoveryOptions options(Duration grace) {
        return DiscoveryOptions.builder().gateway(gw.address).localAddress(InetAddress.getLoopbackAddress())
                .multicast(false).timeout(Duration.ofSeconds(2)).graceWindow(grace).build();
    }

    private PortMapper connect(List<PortMapperProvider> providers, DiscoveryOptions o) throws PortMappingException {
        return new ProtocolProber(providers).connect(Gateways.GatewayTarget.resolve(o), o);
    }

    @AfterEach
    void noProbeThreadLeft() {
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty()))
                .as("openport-probe threads still alive: %s", Threads.named("openport-probe")).isTrue();
    }

    @Test
    void mostPreferredProtocolWinsWithinTheGraceWindow() throws Exception {
        // UPnP and NAT-PMP answer at once, PCP 60 ms later but inside the 1 s grace window
        List<PortMapperProvider> ps = List.of(gw.provider(PCP, Duration.ofMillis(60)), gw.provider(NAT_PMP),
                gw.provider(UPNP));
        long t0 = System.nanoTime();
        try (PortMapper m = connect(ps, options(Duration.ofSeconds(1)))) {
            assertThat(m.protocol()).isEqualTo(PCP);
            // PCP is the best there is: no need to wait out the grace window
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(800));
        }
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty())).isTrue();
        assertThat(gw.mappers).extracting(m -> m.protocol).containsExactlyInAnyOrder(PCP, NAT_PMP, UPNP);
        assertThat(gw.mappers.stream().filter(m -> m.protocol != PCP)).as("losing mappers closed")
                .allMatch(m -> m.closed);
    }

    @Test
    void fastUpnpAnswerIsReturnedAtOnceWhenPcpAndNatPmpFail() throws Exception {
        gw.answer(PCP, false);
        gw.answer(NAT_PMP, false);
        List<PortMapperProvider> ps = List.of(gw.provider(PCP, Duration.ofMillis(5)),
                gw.provider(NAT_PMP, Duration.ofMillis(5)), gw.provider(UPNP, Duration.ofMillis(20)));
        long t0 = System.nanoTime();
        try (PortMapper m = connect(ps, options(Duration.ofSeconds(1)))) {
            assertThat(m.protocol()).isEqualTo(UPNP);
        }
        // all probes are in: the 1 s grace window is not waited out
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(700));
    }

    @Test
    void natPmpIsReturnedWithoutWaitingForASlowerLessPreferredUpnp() throws Exception {
        // PCP refuses at once (a NAT-PMP-only router), NAT-PMP answers, UPnP is slow: UPnP could never win,
        // so neither its answer nor the 1 s grace window is waited for
        gw.answer(PCP, false);
        List<PortMapperProvider> ps = List.of(gw.provider(PCP, Duration.ofMillis(5)), gw.provider(NAT_PMP),
                gw.provider(UPNP, Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        try (PortMapper m = connect(ps, options(Duration.ofSeconds(1)))) {
            assertThat(m.protocol()).isEqualTo(NAT_PMP);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(700));
    }

    @Test
    void aNatPmpOnlyVpnGatewayDoesNotWaitOutSilentPcpAndUpnp() throws Exception {
        // a VPN's NAT-PMP server (ProtonVPN-style): PCP and SSDP are silently dropped, NAT-PMP answers at once;
        // auto must map after the grace window, never after the PCP/UPnP timeouts (2 s here, 30 s hangs)
        List<PortMapperProvider> ps = List.of(gw.provider(PCP, Duration.ofSeconds(30)), gw.provider(NAT_PMP),
                gw.provider(UPNP, Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        try (PortMapper m = connect(ps, options(Duration.ofMillis(100)))) {
            assertThat(m.protocol()).isEqualTo(NAT_PMP);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100))
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void fastUpnpAnswerWaitsOnlyTheGraceWindowForSilentPreferredProtocols() throws Exception {
        // PCP and NAT-PMP hang (a router that drops port 5351): UPnP wins after the grace window, not the timeout
        List<PortMapperProvider> ps = List.of(gw.provider(PCP, Duration.ofSeconds(30)),
                gw.provider(NAT_PMP, Duration.ofSeconds(30)), gw.provider(UPNP));
        long t0 = System.nanoTime();
        try (PortMapper m = connect(ps, options(Duration.ofMillis(100)))) {
            assertThat(m.protocol()).isEqualTo(UPNP);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aPreferredAnswerAfterTheGraceWindowLosesAndItsMapperIsClosed() throws Exception {
        List<PortMapperProvider> ps = List.of(gw.provider(PCP, Duration.ofMillis(300)), gw.provider(UPNP));
        try (PortMapper m = connect(ps, options(Duration.ofMillis(20)))) {
            assertThat(m.protocol()).isEqualTo(UPNP);
        }
        // the PCP probe is interrupted; if it had already answered, the reaper closes its mapper
        assertThat(Threads.await(Duration.ofSeconds(5), () -> gw.mappers.stream()
                .filter(m -> m.protocol == PCP).allMatch(m -> m.closed))).isTrue();
    }

    @Test
    void noAnswerIsGatewayNotFoundWithAHelpfulMessage() {
        for (MappingProtocol p : MappingProtocol.values()) {
            gw.answer(p, false);
        }
        assertThatThrownBy(() -> connect(gw.providers(), options(Duration.ofMillis(20))))
                .isInstanceOf(PortMappingException.class)
                .hasMessageContaining("no gateway answered on 127.0.0.1 (tried PCP, NAT-PMP, UPnP)"
                        + " — is UPnP/NAT-PMP enabled on your router?")
                .extracting(e -> ((PortMappingException) e).reason())
                .isEqualTo(PortMappingException.Reason.GATEWAY_NOT_FOUND);
    }

    @Test
    void onlyTheAllowedProtocolsAreTried() {
        for (MappingProtocol p : MappingProtocol.values()) {
            gw.answer(p, false);
        }
        DiscoveryOptions o = options(Duration.ofMillis(20)).toBuilder().protocols(NAT_PMP, UPNP).build();
        assertThatThrownBy(() -> connect(gw.providers(), o))
                .hasMessageContaining("(tried NAT-PMP, UPnP)");
    }

    @Test
    void noProviderInstalledSaysSo() {
        assertThatThrownBy(() -> connect(List.of(), options(Duration.ofMillis(20))))
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.failure())
                        .contains(new PortMappingException.NoProtocolModule("dev.openport:openport")))
                .hasMessageContaining("no protocol module is installed")
                .hasMessageNotContaining("router");
    }

    @Test
    void theFallbackErrorCarriesEachProtocolsAttempt() {
        for (MappingProtocol p : MappingProtocol.values()) {
            gw.answer(p, false);
        }
        assertThatThrownBy(() -> connect(gw.providers(), options(Duration.ofMillis(20))))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.attempts()).hasSize(3);
                    assertThat(e.attempts()).extracting(PortMappingException::protocol)
                            .containsExactlyInAnyOrder(PCP, NAT_PMP, UPNP);
                });
    }

    @Test
    void aThrowingProviderIsAFailureNotACrash() throws Exception {
        PortMapperProvider broken = new PortMapperProvider() {
            @Override
            public MappingProtocol protocol() {
                return PCP;
            }

            @Override
            public PortMapper probe(dev.openport.core.spi.ProbeContext c) {
                throw new IllegalStateException("bug");
            }
        };
        try (PortMapper m = connect(List.of(broken, gw.provider(UPNP)), options(Duration.ofMillis(20)))) {
            assertThat(m.protocol()).isEqualTo(UPNP);
        }
    }

    @Test
    void discoverReportsEveryProtocolThatAnsweredAndTheExternalAddress() throws Exception {
        gw.answer(PCP, false);
        DiscoveryOptions o = options(Duration.ofMillis(20));
        Gateway g = new ProtocolProber(gw.providers()).discover(Gateways.GatewayTarget.resolve(o), o);
        assertThat(g.address()).isEqualTo(gw.address);
        assertThat(g.protocols().keySet()).containsExactlyInAnyOrder(NAT_PMP, UPNP);
        assertThat(g.speaks(PCP)).isFalse();
        assertThat(g.externalAddress()).isEqualTo(gw.external);
        assertThat(gw.mappers).allMatch(m -> m.closed);
    }
}
