package dev.openport.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.Transport;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The request line's grammar and the "only the requester" rule, without sockets. */
class EchoRequestTest {

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void aProbesLineParses() {
        EchoRequest r = EchoRequest.parse("OPENPORT-ECHO 1 UDP 203.0.113.1 25565 0123456789abcdef");
        assertThat(r.transport()).isEqualTo(Transport.UDP);
        assertThat(r.target().getAddress().getHostAddress()).isEqualTo("203.0.113.1");
        assertThat(r.target().getPort()).isEqualTo(25565);
        assertThat(r.token()).isEqualTo("0123456789abcdef");
        assertThat(r.describe()).isEqualTo("UDP 203.0.113.1:25565");
        assertThat(EchoRequest.parse("OPENPORT-ECHO 1 TCP 2001:db8:1::2 1 t-1").describe())
                .isEqualTo("TCP [2001:db8:1:0:0:0:0:2]:1");
    }

    @Test
    void malformedLinesAreNoRequest() {
        String[] bad = {
            "", "OPENPORT-ECHO", "OPENPORT-ECHO 1 TCP 203.0.113.1 25565", "OPENPORT-ECHO 2 TCP 203.0.113.1 1 t",
            "openport-echo 1 TCP 203.0.113.1 1 t", "OPENPORT-ECHO 1 SCTP 203.0.113.1 1 t",
            "OPENPORT-ECHO 1 tcp 203.0.113.1 1 t", "OPENPORT-ECHO 1 TCP 203.0.113.1 0 t",
            "OPENPORT-ECHO 1 TCP 203.0.113.1 65536 t", "OPENPORT-ECHO 1 TCP 203.0.113.1 -1 t",
            "OPENPORT-ECHO 1 TCP 203.0.113.1 99999999999 t", "OPENPORT-ECHO 1 TCP 203.0.113.1 1 ",
            "OPENPORT-ECHO 1 TCP 203.0.113.1 1 tok_en", "OPENPORT-ECHO 1 TCP 203.0.113.1 1 " + "a".repeat(65),
            "OPENPORT-ECHO 1 TCP 203.0.113.1 1 t extra", "OPENPORT-ECHO  1 TCP 203.0.113.1 1 t",
            "OPENPORT-ECHO 1 TCP 203.0.113.256 1 t", "OPENPORT-ECHO 1 TCP 203.0.113 1 t",
            "OPENPORT-ECHO 1 TCP example.com 1 t", "OPENPORT-ECHO 1 TCP localhost 1 t",
            "OPENPORT-ECHO 1 TCP fe80::1%eth0 1 t", "OPENPORT-ECHO 1 TCP 1::2::3 1 t",
            "OPENPORT-ECHO 1 TCP [::1] 1 t", "OPENPORT-ECHO 1 TCP 0x7f000001 1 t",
        };
        for (String line : bad) {
            assertThat(EchoRequest.parse(line)).as(line).isNull();
        }
        assertThat(EchoRequest.parse("OPENPORT-ECHO 1 TCP 203.0.113.1 1 " + "a".repeat(64))).isNotNull();
    }

    @Test
    void ipv4OnlyTheRequestersOwnAddress() throws Exception {
        EchoRequest r = EchoRequest.parse("OPENPORT-ECHO 1 TCP 203.0.113.1 25565 t");
        assertThat(r.allowedFrom(ip("203.0.113.1"))).isTrue();
        assertThat(r.allowedFrom(ip("203.0.113.2"))).isFalse();
        assertThat(r.allowedFrom(ip("2001:db8::1"))).isFalse();
        assertThat(r.allowedFrom(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1,
            (byte) 203, 0, 113, 1}))).as("IPv4-mapped peer").isTrue();
        EchoRequest mapped = EchoRequest.parse("OPENPORT-ECHO 1 TCP ::ffff:203.0.113.1 25565 t");
        assertThat(mapped.allowedFrom(ip("203.0.113.1"))).as("IPv4-mapped target").isTrue();
        assertThat(mapped.allowedFrom(ip("203.0.113.9"))).isFalse();
    }

    @Test
    void ipv6TheRequestersSlash64() throws Exception {
        EchoRequest r = EchoRequest.parse("OPENPORT-ECHO 1 UDP 2001:db8:1::2 25565 t");
        assertThat(r.allowedFrom(ip("2001:db8:1::2"))).isTrue();
        assertThat(r.allowedFrom(ip("2001:db8:1:0:a1b2:c3d4:e5f6:1"))).as("temporary address, same /64").isTrue();
        assertThat(r.allowedFrom(ip("2001:db8:1:1::2"))).as("next /64").isFalse();
        assertThat(r.allowedFrom(ip("2001:db9:1::2"))).isFalse();
        assertThat(r.allowedFrom(ip("203.0.113.1"))).isFalse();
        assertThat(EchoRequest.parse("OPENPORT-ECHO 1 UDP ::ffff:203.0.113.1 1 t").allowedFrom(ip("::1")))
                .as("an IPv4-mapped target is IPv4, not in ::/64").isFalse();
    }
}
