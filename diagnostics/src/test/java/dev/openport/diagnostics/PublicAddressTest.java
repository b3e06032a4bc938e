package dev.openport.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.PortMappingException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DNS "what is my IP" client against a real DNS responder on loopback. */
class PublicAddressTest {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    MyIpDnsResponder dns;

    @BeforeEach
    void start() throws Exception {
        dns = MyIpDnsResponder.onLoopback();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void aQueryReturnsTheQueriersAddress() throws Exception {
        PublicAddressResult r = PublicAddress.lookup(PublicAddressQuery.parse(dns.hostPort()), TIMEOUT);
        assertThat(r.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(r.query().name()).isEqualTo("myip.opendns.com");
        assertThat(r.roundTrip()).isLessThan(TIMEOUT);
    }

    @Test
    void txtQueryGoogleStyle() throws Exception {
        dns.override = InetAddress.getByName("198.51.100.7");
        PublicAddressQuery q = PublicAddressQuery.parse(dns.hostPort(), PublicAddressQuery.GOOGLE_NAME,
                PublicAddressQuery.RecordType.TXT);
        assertThat(PublicAddress.lookup(q, TIMEOUT).address().getHostAddress()).isEqualTo("198.51.100.7");
    }

    @Test
    void nxdomainIsAProtocolErrorNamingTheResolver() {
        dns.mode = MyIpDnsResponder.Mode.NXDOMAIN;
        assertThatThrownBy(() -> PublicAddress.lookup(PublicAddressQuery.parse(dns.hostPort()), TIMEOUT))
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.reason())
                        .isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR))
                .hasMessageContaining("NXDOMAIN").hasMessageContaining(dns.hostPort());
    }

    @Test
    void truncatedGarbageIsAProtocolErrorNotAnUncheckedException() {
        dns.mode = MyIpDnsResponder.Mode.GARBAGE;
        assertThatThrownBy(() -> PublicAddress.lookup(PublicAddressQuery.parse(dns.hostPort()), TIMEOUT))
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.reason())
                        .isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR));
    }

    @Test
    void anAnswerWithAnotherIdIsIgnored() throws Exception {
        dns.mode = MyIpDnsResponder.Mode.WRONG_ID_FIRST;
        PublicAddressResult r = PublicAddress.lookup(PublicAddressQuery.parse(dns.hostPort()), TIMEOUT);
        assertThat(r.address().getHostAddress()).isEqualTo("127.0.0.1"); // not the spoofed 192.0.2.66
    }

    @Test
    void silentResolverTimesOutAfterResending() {
        dns.mode = MyIpDnsResponder.Mode.SILENT;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> PublicAddress.lookup(PublicAddressQuery.parse(dns.hostPort()),
                Duration.ofMillis(1300)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> assertThat(e.reason())
                        .isEqualTo(PortMappingException.Reason.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(dns.queries.get()).isEqualTo(2); // at 0 and at 1 s
    }

    @Test
    void listFallsThroughToTheNextResolver() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closed = s.getLocalPort();
        }
        PublicAddressResult r = PublicAddress.lookup(List.of(PublicAddressQuery.parse("127.0.0.1:" + closed),
                PublicAddressQuery.parse(dns.hostPort())), Duration.ofMillis(500));
        assertThat(r.query().resolver().getPort()).isEqualTo(dns.port());
    }

    @Test
    void parsesResolverSpecs() {
        assertThat(PublicAddressQuery.parse("127.0.0.1").resolverText()).isEqualTo("127.0.0.1:53");
        assertThat(PublicAddressQuery.parse("127.0.0.1:5353").resolver().getPort()).isEqualTo(5353);
        assertThat(PublicAddressQuery.parse("[::1]:5300").resolverText()).isEqualTo("[0:0:0:0:0:0:0:1]:5300");
        assertThat(PublicAddressQuery.parse("::1").resolver().getPort()).isEqualTo(53);
        assertThatThrownBy(() -> PublicAddressQuery.parse("127.0.0.1:0")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicAddressQuery.parse("127.0.0.1:x")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> PublicAddressQuery.parse(":53")).isInstanceOf(IllegalArgumentException.class);
        assertThat(PublicAddressQuery.type("txt")).isEqualTo(PublicAddressQuery.RecordType.TXT);
    }

    @Test
    void defaultsAreTheWellKnownServicesButAreNeverAskedHere() {
        // only their shape is tested: the unit tests must never send to them
        assertThat(PublicAddressQuery.defaults()).extracting(PublicAddressQuery::resolverText)
                .containsExactly("208.67.222.222:53", "216.239.32.10:53");
        assertThatThrownBy(() -> PublicAddress.lookup(PublicAddressQuery.openDns(), TIMEOUT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("loopback");
    }
}
