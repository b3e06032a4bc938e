package dev.openport.natpmp;

import static dev.openport.natpmp.FakeNatPmpGateway.ipv4;
import static dev.openport.natpmp.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.GatewayEvent;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PortMapper contract against the loopback fake gateway. */
class NatPmpPortMapperTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private FakeNatPmpGateway gw;
    private NatPmpPortMapper mapper;
    private final LinkedBlockingQueue<GatewayEvent> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        gw = new FakeNatPmpGateway();
        mapper = new NatPmpPortMapper(context(Duration.ofSeconds(2)), null, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        mapper.close();
        gw.close();
    }

    /** Two answers, the second with an epoch far behind the first (RFC 6886 §3.6): the listeners get STATE_LOST. */
    private void gatewayRebootsBetweenTwoAnswers() throws PortMappingException {
        gw.epoch(5000L);
        mapper.externalAddress();
        gw.epoch(1L);
        mapper.externalAddress();
    }

    private ProbeContext context(Duration timeout) {
        return new ProbeContext(LOOPBACK, LOOPBACK, timeout, gw.port(), null, false);
    }

    @Test
    void mapReportsGrantedPortLeaseAndExternalAddress() throws Exception {
        gw.maxLifetime(3600);
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
        assertThat(m.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
        assertThat(m.gateway()).isEqualTo(LOOPBACK);
        assertThat(m.internalAddress()).isEqualTo(LOOPBACK);
        assertThat(m.externalAddress()).isEqualTo(ipv4("203.0.113.7"));
        assertThat(m.externalPort()).isEqualTo(25565);
        assertThat(m.lifetime()).isEqualTo(Duration.ofHours(1)); // asked 2 h, granted 1 h
        assertThat(m.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(gw.mapped(Transport.TCP, 25565)).isEqualTo(25565);
        // the map request carries what was asked: TCP, 25565 -> 25565, 7200 s
        assertThat(gw.requests().get(0).bytes()).isEqualTo(bytes("00020000 63dd 63dd 00001c20"));
    }

    @Test
    void gatewayChosenPortIsReported() throws Exception {
        gw.grantPort(40123);
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 27015));
        assertThat(m.externalPort()).isEqualTo(40123);
        assertThat(m.external().port()).isEqualTo(40123);
    }

    @Test
    void exactPortDemandedButAnotherGrantedIsConflictAndTheUnwantedMappingIsDeleted() {
        gw.grantPort(40123);
        assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.UDP, 27015).requireExactExternalPort()))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT));
        assertThat(gw.mapped(Transport.UDP, 27015)).isNull();
    }

    @Test
    void renewAsksForTheGrantedExternalPortWithTheInternalPortInTheInternalField() throws Exception {
        // router quirk 10: the gateway chose 40123 for internal 27015; renewal must keep both straight
        gw.grantPort(40123);
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 27015));
        gw.grantPort(null);
        int before = gw.requests().size();
        PortMapping renewed = mapper.renew(m);
        byte[] renewal = gw.requests().get(before).bytes();
        assertThat(renewal).isEqualTo(bytes("00010000 6987 9cbb 00001c20")); // internal 27015, suggested 40123
        assertThat(renewed.externalPort()).isEqualTo(40123);
        assertThat(renewed.request()).isEqualTo(m.request());
    }

    @Test
    void renewAfterTheGatewayLostStateMayReturnANewPort() throws Exception {
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 8080));
        gw.loseState();
        gw.grantPort(50000); // after the reboot the old port went to someone else
        PortMapping renewed = mapper.renew(m);
        assertThat(renewed.externalPort()).isEqualTo(50000);
        assertThat(gw.mapped(Transport.TCP, 8080)).isEqualTo(50000);
    }

    @Test
    void unmapSendsLifetimeZeroAndAnAlreadyGoneMappingIsNoError() throws Exception {
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 8080));
        mapper.unmap(m);
        assertThat(gw.mapped(Transport.TCP, 8080)).isNull();
        assertThat(gw.requests().get(gw.requests().size() - 1).bytes()).isEqualTo(bytes("00020000 1f90 0000 00000000"));
        assertThatCode(() -> mapper.unmap(m)).doesNotThrowAnyException();
    }

    @Test
    void deleteAllSendsInternalPortZeroAndLifetimeZero() throws Exception {
        mapper.map(MappingRequest.of(Transport.UDP, 1000));
        mapper.map(MappingRequest.of(Transport.UDP, 1001));
        mapper.map(MappingRequest.of(Transport.TCP, 1002));
        mapper.deleteAll(Transport.UDP);
        assertThat(gw.requests().get(gw.requests().size() - 1).bytes()).isEqualTo(bytes("000100000000000000000000"));
        assertThat(gw.mapped(Transport.UDP, 1000)).isNull();
        assertThat(gw.mapped(Transport.UDP, 1001)).isNull();
        assertThat(gw.mapped(Transport.TCP, 1002)).isEqualTo(1002);
    }

    @Test
    void refusalIsTypedWithTheGatewaysCode() {
        gw.resultCode(2);
        assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.TCP, 80)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
                    assertThat(e.protocolCode()).hasValue(2);
                });
    }

    @Test
    void successWithExternalPortZeroIsAProtocolError() {
        gw.grantPort(0);
        assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.TCP, 8080)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR));
    }

    @Test
    void anotherInternalHostIsUnsupported() {
        MappingRequest forOther = MappingRequest.of(Transport.TCP, 80).withInternalAddress(ipv4("127.0.0.9"));
        assertThatThrownBy(() -> mapper.map(forOther)).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
        assertThat(gw.requests()).isEmpty();
    }

    @Test
    void ipv6GatewayIsUnsupported() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assertThatThrownBy(() -> new NatPmpPortMapper(new ProbeContext(v6, v6, Duration.ofSeconds(1), 0, null, false)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void epochGoingBackwardsFiresStateLost() throws Exception {
        mapper.addListener(events::add);
        gw.epoch(5000L);
        mapper.externalAddress();
        gw.epoch(3L); // the gateway rebooted
        mapper.externalAddress();
        GatewayEvent e = events.poll(2, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(GatewayEvent.Kind.STATE_LOST);
        assertThat(e.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
        assertThat(e.gateway()).isEqualTo(LOOPBACK);
        assertThat(e.detail()).contains("5000").contains("3");
        assertThat(Thread.currentThread().getName()).isNotEqualTo("openport-natpmp-events");
    }

    @Test
    void epochFromAnErrorAnswerCountsToo() throws Exception {
        mapper.addListener(events::add);
        gw.epoch(5000L);
        mapper.externalAddress();
        gw.epoch(1L).resultCode(3);
        assertThatThrownBy(() -> mapper.externalAddress()).isInstanceOf(PortMappingException.class);
        assertThat(events.poll(2, TimeUnit.SECONDS)).extracting(GatewayEvent::kind)
                .isEqualTo(GatewayEvent.Kind.STATE_LOST);
    }

    @Test
    void steadyEpochFiresNothing() throws Exception {
        mapper.addListener(events::add);
        gw.epoch(5000L);
        mapper.externalAddress();
        gw.epoch(5001L);
        mapper.map(MappingRequest.of(Transport.TCP, 1234));
        assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void externalAddressChangeFiresAnEvent() throws Exception {
        mapper.addListener(events::add);
        assertThat(mapper.externalAddress()).isEqualTo(ipv4("203.0.113.7"));
        gw.externalAddress("198.51.100.20");
        PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 1234));
        assertThat(m.externalAddress()).isEqualTo(ipv4("198.51.100.20"));
        GatewayEvent e = events.poll(2, TimeUnit.SECONDS);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(GatewayEvent.Kind.EXTERNAL_ADDRESS_CHANGED);
        assertThat(e.detail()).contains("203.0.113.7").contains("198.51.100.20");
    }

    @Test
    void aThrowingListenerDoesNotStopTheOthers() throws Exception {
        mapper.addListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        mapper.addListener(events::add);
        gatewayRebootsBetweenTwoAnswers();
        assertThat(events.poll(2, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void closeEndsTheEventThreadAndLaterCallsFail() throws Exception {
        mapper.addListener(events::add);
        gatewayRebootsBetweenTwoAnswers();
        assertThat(events.poll(2, TimeUnit.SECONDS)).isNotNull();
        mapper.close();
        assertThat(Await.until(Duration.ofSeconds(2), () -> !Await.threadAlive("openport-natpmp-events"))).isTrue();
        assertThatThrownBy(() -> mapper.externalAddress()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void withoutMulticastNoAnnouncementListenerStarts() throws Exception {
        NatPmpPortMapper m = new NatPmpPortMapper(context(Duration.ofSeconds(1)));
        try {
            m.addListener(events::add);
            assertThat(m.announcePort()).isEqualTo(-1);
            assertThat(Await.threadAlive("openport-announce")).isFalse();
        } finally {
            m.close();
        }
    }
}
