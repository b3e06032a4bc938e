package dev.openport.core;

import static dev.openport.core.MappingProtocol.NAT_PMP;
import static dev.openport.core.MappingProtocol.PCP;
import static dev.openport.core.MappingProtocol.UPNP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OpenPort.map on both families: an IPv4 and an IPv6 in-memory gateway behind one set of providers. */
class DualStackTest {
    private final FakeScheduler sched = new FakeScheduler();
    private final FakeGateway gw4 = FakeGateway.loopback();
    /** The IPv6 side: no translation, the "external" address of a pinhole is the host's own address. */
    private final FakeGateway gw6 = new FakeGateway("::1", "2001:db8:1::2");
    private final LeaseManager mgr = new LeaseManager(sched, providers(), () -> 0, false);
    private final Ipv6Uplink uplink = new Ipv6Uplink(v6("::1"), "eth0", v6("2001:db8:1::2"));
    private final AtomicInteger uplinkLookups = new AtomicInteger();
    private final DiscoveryOptions named4 = DiscoveryOptions.builder().gateway(gw4.address)
            .localAddress(InetAddress.getLoopbackAddress()).multicast(false).timeout(Duration.ofMillis(500))
            .graceWindow(Duration.ofMillis(100)).build();

    @BeforeEach
    void clock() {
        gw4.clock = () -> Instant.EPOCH.plusNanos(sched.nanoTime());
        gw6.clock = gw4.clock;
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Threads.await(Duration.ofSeconds(5), () -> Threads.named("openport-probe").isEmpty()
                && Threads.named("openport-map").isEmpty())).isTrue();
    }

    static Inet6Address v6(String s) {
        try {
            return (Inet6Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Each protocol answers on the gateway of the probe's family, like a dual-stack router. */
    private List<PortMapperProvider> providers() {
        return List.of(PCP, NAT_PMP, UPNP).stream().map(p -> (PortMapperProvider) new PortMapperProvider() {
            @Override
            public MappingProtocol protocol() {
                return p;
            }

            @Override
            public PortMapper probe(ProbeContext ctx) throws PortMappingException {
                return (ctx.gateway() instanceof Inet6Address ? gw6 : gw4).provider(p).probe(ctx);
            }
        }).toList();
    }

    private Supplier<Optional<Ipv6Uplink>> uplinks(Optional<Ipv6Uplink> u) {
        return () -> {
            uplinkLookups.incrementAndGet();
            return u;
        };
    }

    /** Options as OpenPort.map gets them by default: the gateway left to us. */
    private MapOptions.Builder auto() {
        return MapOptions.builder().discovery(DiscoveryOptions.builder().multicast(false)
                .timeout(Duration.ofMillis(500)).graceWindow(Duration.ofMillis(100)).build())
                .checkInterval(Duration.ofHours(1))
                .verifyInterval(Duration.ZERO); // read-backs have their own tests (LeaseVerificationTest)
    }

    /** The same plan, with the IPv4 half pointed at the loopback fake (the default gateway is not ours to use). */
    private ManagedMapping mapBoth(MapOptions auto) throws PortMappingException {
        DualStack.Plan plan = DualStack.plan(auto, uplinks(Optional.of(uplink)));
        assertThat(plan.four()).isNotNull();
        assertThat(plan.six()).isNotNull();
        MapOptions four = plan.four().forFamily(AddressFamily.IPV4, named4);
        return DualStack.both(mgr, 41600, four, () -> Optional.of(plan.six()), List.of(Transport.TCP, Transport.UDP));
    }

    @Test
    void withoutAnUplinkNothingChanges() throws Exception {
        MapOptions o = auto().build();
        DualStack.Plan plan = DualStack.plan(o, uplinks(Optional.empty()));
        assertThat(plan.four()).isSameAs(o);
        assertThat(plan.six()).isNull();
        assertThat(uplinkLookups).hasValue(1);
    }

    @Test
    void theIpv6HalfAsksTheUplinkGatewayFromTheStableAddressWithPinholeProtocolsOnly() throws Exception {
        MapOptions o = auto().build();
        DualStack.Plan plan = DualStack.plan(o, uplinks(Optional.of(uplink)));
        assertThat(plan.four()).isSameAs(o);
        DiscoveryOptions d6 = plan.six().discovery();
        assertThat(d6.gateway()).isEqualTo(v6("::1"));
        assertThat(d6.localAddress()).isEqualTo(v6("2001:db8:1::2"));
        assertThat(d6.protocols()).containsExactlyInAnyOrder(PCP, UPNP);
        assertThat(d6.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(plan.six().families()).containsExactly(AddressFamily.IPV6);
    }

    @Test
    void aNamedGatewayOrAnotherHostIsLeftAsAskedWithoutLookingForIpv6() throws Exception {
        assertThat(DualStack.plan(auto().discovery(named4).build(), uplinks(Optional.of(uplink))).six()).isNull();
        assertThat(DualStack.plan(auto().internalAddress(InetAddress.getByName("192.168.1.50")).build(),
                uplinks(Optional.of(uplink))).six()).isNull();
        assertThat(DualStack.plan(auto().families(AddressFamily.IPV4).build(), uplinks(Optional.of(uplink))).six())
                .isNull();
        assertThat(uplinkLookups).hasValue(0);
    }

    @Test
    void natPmpOnlyHasNoIpv6Half() throws Exception {
        MapOptions o = auto().protocols(NAT_PMP).build();
        assertThat(DualStack.plan(o, uplinks(Optional.of(uplink))).six()).isNull();
        assertThatThrownBy(() -> DualStack.plan(auto().protocols(NAT_PMP).families(AddressFamily.IPV6).build(),
                uplinks(Optional.of(uplink)))).isInstanceOf(PortMappingException.class)
                .hasMessageContaining("only PCP and UPnP");
    }

    @Test
    void ipv6OnlyNeedsAnUplinkAndNoIpv4Gateway() throws Exception {
        MapOptions only6 = auto().families(AddressFamily.IPV6).build();
        DualStack.Plan plan = DualStack.plan(only6, uplinks(Optional.of(uplink)));
        assertThat(plan.four()).isNull();
        assertThat(plan.six().discovery().gateway()).isEqualTo(v6("::1"));
        assertThatThrownBy(() -> DualStack.plan(only6, uplinks(Optional.empty())))
                .isInstanceOf(PortMappingException.class).hasMessageContaining("no IPv6 default route")
                .extracting(e -> ((PortMappingException) e).reason())
                .isEqualTo(PortMappingException.Reason.GATEWAY_NOT_FOUND);
        assertThatThrownBy(() -> DualStack.plan(auto().families(AddressFamily.IPV6).discovery(named4).build(),
                uplinks(Optional.of(uplink)))).extracting(e -> ((PortMappingException) e).reason())
                .isEqualTo(PortMappingException.Reason.UNSUPPORTED);
    }

    @Test
    void mapsBothFamiliesUnderOneHandleAndCloseRemovesBoth() throws Exception {
        ManagedMapping m = mapBoth(auto().build());
        try {
            assertThat(m.external()).hasToString("203.0.113.1:41600");
            assertThat(m.failures()).isEmpty();
            assertThat(m.ipv6()).isPresent();
            assertThat(m.ipv6().get().external()).hasToString("[2001:db8:1::2]:41600");
            assertThat(m.mappings()).extracting(pm -> pm.transport() + " " + pm.external()).containsExactly(
                    "TCP 203.0.113.1:41600", "UDP 203.0.113.1:41600", "TCP [2001:db8:1::2]:41600",
                    "UDP [2001:db8:1::2]:41600");
            assertThat(gw4.table()).hasSize(2);
            assertThat(gw6.table()).hasSize(2);
            assertThat(m.ipv6().get().protocol()).isEqualTo(PCP);
        } finally {
            m.close();
        }
        assertThat(gw4.table()).isEmpty();
        assertThat(gw6.table()).isEmpty();
        assertThat(m.ipv6().get().isClosed()).isTrue();
    }

    @Test
    void thePinholeIsRenewedOnItsOwnLease() throws Exception {
        gw6.maxLifetime = Duration.ofSeconds(600);
        try (ManagedMapping m = mapBoth(auto().build())) {
            assertThat(gw6.attempts).hasValue(2);
            sched.advance(Duration.ofSeconds(301));
            assertThat(gw6.attempts).as("TCP and UDP pinholes renewed at half their 600 s").hasValue(4);
            assertThat(m.ipv6().get().state()).isEqualTo(LeaseState.ACTIVE);
        }
    }

    @Test
    void reportUnreachableRepairsTheIpv4MappingsAndTheIpv6PinholesBeside() throws Exception {
        try (ManagedMapping m = mapBoth(auto().build())) {
            for (Transport t : Transport.values()) {
                gw4.stopForwarding(t, 41600);
                gw6.stopForwarding(t, 41600);
            }
            m.reportUnreachable();
            sched.runDue();
            for (Transport t : Transport.values()) {
                assertThat(gw4.forwards(t, 41600)).as("IPv4 %s", t).isTrue();
                assertThat(gw6.forwards(t, 41600)).as("IPv6 pinhole %s", t).isTrue();
            }
            assertThat(gw4.log).contains("PCP unmap TCP 41600", "PCP unmap UDP 41600");
            assertThat(gw6.log).contains("PCP unmap TCP 41600", "PCP unmap UDP 41600");
        }
    }

    @Test
    void aRefusedPinholeLeavesTheIpv4MappingAndSaysWhy() throws Exception {
        gw6.refuse = PortMappingException.Reason.NOT_AUTHORIZED;
        try (ManagedMapping m = mapBoth(auto().build())) {
            assertThat(m.ipv6()).isEmpty();
            assertThat(m.mappings()).hasSize(2);
            assertThat(m.failures()).containsOnlyKeys(AddressFamily.IPV6);
            assertThat(m.failures().get(AddressFamily.IPV6).reason())
                    .isEqualTo(PortMappingException.Reason.NOT_AUTHORIZED);
            assertThat(gw4.table()).hasSize(2);
        }
        assertThat(gw6.table()).isEmpty();
    }

    @Test
    void anIpv4GatewayThatDoesNotAnswerLeavesThePinholes() throws Exception {
        for (MappingProtocol p : MappingProtocol.values()) {
            gw4.answer(p, false);
        }
        try (ManagedMapping m = mapBoth(auto().build())) {
            assertThat(m.failures()).containsOnlyKeys(AddressFamily.IPV4);
            assertThat(m.external()).hasToString("[2001:db8:1::2]:41600");
            assertThat(gw6.table()).hasSize(2);
        }
        assertThat(gw6.table()).isEmpty();
    }

    @Test
    void whenBothFamiliesFailTheIpv4ErrorIsThrownWithTheIpv6OneAttached() {
        gw4.refuse = PortMappingException.Reason.NO_RESOURCES;
        gw6.refuse = PortMappingException.Reason.NOT_AUTHORIZED;
        assertThatThrownBy(() -> mapBoth(auto().build())).isInstanceOf(PortMappingException.class)
                .satisfies(e -> {
                    assertThat(((PortMappingException) e).reason()).isEqualTo(PortMappingException.Reason.NO_RESOURCES);
                    assertThat(e.getSuppressed()).hasSize(1);
                    assertThat(((PortMappingException) e.getSuppressed()[0]).reason())
                            .isEqualTo(PortMappingException.Reason.NOT_AUTHORIZED);
                });
        assertThat(gw4.table()).isEmpty();
        assertThat(gw6.table()).isEmpty();
    }

    @Test
    void familiesDefaultToBoth() {
        assertThat(MapOptions.defaults().families()).containsExactlyInAnyOrder(AddressFamily.IPV4, AddressFamily.IPV6);
        assertThat(MapOptions.builder().families(AddressFamily.IPV6).build().families())
                .isEqualTo(Set.of(AddressFamily.IPV6));
    }

    @Test
    void noUplinkFoundOnTheIpv6ThreadIsNotAFailure() throws Exception {
        MapOptions four = auto().build().forFamily(AddressFamily.IPV4, named4);
        try (ManagedMapping m = DualStack.both(mgr, 41600, four, Optional::empty, List.of(Transport.TCP))) {
            assertThat(m.failures()).isEmpty();
            assertThat(m.ipv6()).isEmpty();
            assertThat(m.mappings()).hasSize(1);
        }
        gw4.refuse = PortMappingException.Reason.NO_RESOURCES;
        assertThatThrownBy(() -> DualStack.both(mgr, 41600, four, Optional::empty, List.of(Transport.TCP)))
                .isInstanceOf(PortMappingException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
        assertThat(uplinkLookups).hasValue(0);
    }
}
