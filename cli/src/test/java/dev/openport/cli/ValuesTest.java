package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.AddressClass;
import dev.openport.core.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure parts: port specs, durations, addresses, JSON. */
class ValuesTest {

    @Test
    void portSpecWithoutSuffixIsTcp() {
        assertThat(PortSpec.parse("25565")).isEqualTo(new PortSpec(25565, Set.of(Transport.TCP)));
        assertThat(PortSpec.parse("27015/UDP").transports()).containsExactly(Transport.UDP);
        assertThat(PortSpec.parse("25565/both").orderedTransports()).containsExactly(Transport.TCP, Transport.UDP);
        assertThat(PortSpec.parse("25565/tcp+udp").orderedTransports())
                .containsExactly(Transport.TCP, Transport.UDP);
        // the gateway chooses (VPN gateways): the service listens on whatever port it grants
        assertThat(PortSpec.parse("any/udp")).isEqualTo(new PortSpec(PortSpec.ANY, Set.of(Transport.UDP)));
        assertThat(PortSpec.parse("ANY/both").isAny()).isTrue();
        assertThat(PortSpec.parse("any").toString()).isEqualTo("any/tcp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "65536", "-1", "abc", "80/sctp", "80/", "/tcp", "123456", "80/tcp/udp"})
    void badPortSpecsSayWhatToType(String text) {
        assertThatThrownBy(() -> PortSpec.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid");
    }

    @Test
    void durationsAsPeopleTypeThem() {
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Durations.parse("3600")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> Durations.parse("2 hours")).hasMessageContaining("2h, 30m");
        assertThatThrownBy(() -> Durations.parse("h")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofSeconds(3552))).isEqualTo("59m12s");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
    }

    @Test
    void ipLiteralsNeverLookUpNames() throws Exception {
        assertThat(IpLiteral.parse("198.18.0.1")).isEqualTo(InetAddress.getByName("198.18.0.1"));
        assertThat(IpLiteral.parse("::1").isLoopbackAddress()).isTrue();
        assertThat(IpLiteral.parse("[fe80::1]").isLinkLocalAddress()).isTrue();
        assertThatThrownBy(() -> IpLiteral.parse("router.local")).hasMessageContaining("not looked up");
        assertThatThrownBy(() -> IpLiteral.parse("256.1.1.1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addressClassesForDoubleNat() {
        assertThat(AddressClass.of(IpLiteral.parse("203.0.113.1"))).isEqualTo(AddressClass.PUBLIC);
        assertThat(AddressClass.of(IpLiteral.parse("100.64.0.1"))).isEqualTo(AddressClass.CGNAT);
        assertThat(AddressClass.of(IpLiteral.parse("100.127.255.254"))).isEqualTo(AddressClass.CGNAT);
        assertThat(AddressClass.of(IpLiteral.parse("100.128.0.1"))).isEqualTo(AddressClass.PUBLIC);
        assertThat(AddressClass.of(IpLiteral.parse("192.168.1.2"))).isEqualTo(AddressClass.PRIVATE);
        assertThat(AddressClass.of(IpLiteral.parse("172.31.0.1"))).isEqualTo(AddressClass.PRIVATE);
        assertThat(AddressClass.of(IpLiteral.parse("10.0.0.1"))).isEqualTo(AddressClass.PRIVATE);
        assertThat(AddressClass.of(IpLiteral.parse("0.0.0.0"))).isEqualTo(AddressClass.UNSPECIFIED);
        assertThat(AddressClass.of(IpLiteral.parse("127.0.0.1"))).isEqualTo(AddressClass.LOOPBACK);
        assertThat(AddressClass.of(IpLiteral.parse("fd00::1"))).isEqualTo(AddressClass.PRIVATE);
        assertThat(Render.doubleNatWarning(IpLiteral.parse("100.64.0.1"), 25565))
                .contains("double NAT").contains("100.64.0.1:25565").contains("not reachable from the internet");
        assertThat(Render.doubleNatWarning(IpLiteral.parse("203.0.113.1"), 25565)).isNull();
    }

    @Test
    void multicastIsOffWheneverTheGatewayIsLoopback() {
        GlobalOptions o = new GlobalOptions();
        o.gateway = IpLiteral.parse("127.0.0.1");
        assertThat(o.discovery().build().multicast()).isFalse();
        o.gateway = IpLiteral.parse("::1");
        assertThat(o.discovery().build().multicast()).isFalse();
        o.gateway = IpLiteral.parse("198.18.0.1");
        assertThat(o.discovery().build().multicast()).isTrue();
        o.noMulticast = true;
        assertThat(o.discovery().build().multicast()).isFalse();
        o.gateway = null;
        o.noMulticast = false;
        o.natpmpPort = 15351;
        o.ssdpPort = 11900;
        o.protocol = dev.openport.core.MappingProtocol.NAT_PMP;
        var d = o.discovery().build();
        assertThat(d.serverPort(dev.openport.core.MappingProtocol.NAT_PMP)).isEqualTo(15351);
        assertThat(d.serverPort(dev.openport.core.MappingProtocol.UPNP)).isEqualTo(11900);
        assertThat(d.serverPort(dev.openport.core.MappingProtocol.PCP)).isZero();
        assertThat(d.protocols()).containsExactly(dev.openport.core.MappingProtocol.NAT_PMP);
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void jsonRoundTripsWhatTheCliWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ newline \n tab \t ctrl \u0001 é");
        m.put("n", 42);
        m.put("l", 1234567890123L);
        m.put("d", 1.5);
        m.put("t", true);
        m.put("z", null);
        m.put("a", List.of(1, "two", List.of()));
        m.put("o", Map.of());
        String text = Json.write(m);
        assertThat(text).doesNotContain("\n");
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertThat(back.get("s")).isEqualTo(m.get("s"));
        assertThat(back.get("n")).isEqualTo(42L);
        assertThat(back.get("l")).isEqualTo(1234567890123L);
        assertThat(back.get("d")).isEqualTo(1.5);
        assertThat(back.get("t")).isEqualTo(true);
        assertThat(back.containsKey("z")).isTrue();
        assertThat(back.get("a")).isEqualTo(List.of(1L, "two", List.of()));
        assertThat(Json.parse(" {\"a\" : [ 1 , 2 ] } ")).isEqualTo(Map.of("a", List.of(1L, 2L)));
        assertThat(Json.parse("\"\\u00e9\\/\"")).isEqualTo("é/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,", "{\"a\" 1}", "tru", "\"abc", "{\"a\":1} x", "[1 2]", "\"\\q\"",
        "\"\\u12\"", "-", "{1:2}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"})
    void malformedJsonIsAnIllegalArgument(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed JSON");
    }
}
