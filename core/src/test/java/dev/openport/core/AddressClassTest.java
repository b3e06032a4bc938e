package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressClassTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        // RFC 1918 §3, with the edges of each block
        "10.0.0.0, PRIVATE", "10.255.255.255, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.254, PRIVATE",
        "192.168.0.1, PRIVATE", "192.168.255.255, PRIVATE",
        "172.15.255.255, PUBLIC", "172.32.0.0, PUBLIC", "192.169.0.1, PUBLIC", "11.0.0.1, PUBLIC",
        // RFC 6598 shared address space 100.64.0.0/10, and its neighbours
        "100.64.0.1, CGNAT", "100.127.255.254, CGNAT", "100.63.255.255, PUBLIC", "100.128.0.0, PUBLIC",
        // link local, loopback, unspecified
        "169.254.1.1, LINK_LOCAL", "fe80::1, LINK_LOCAL", "127.0.0.1, LOOPBACK", "127.255.0.9, LOOPBACK",
        "::1, LOOPBACK", "0.0.0.0, UNSPECIFIED", "::, UNSPECIFIED",
        // the documentation ranges stand in for public addresses (the lab's WAN is 203.0.113.0/24)
        "203.0.113.1, PUBLIC", "8.8.8.8, PUBLIC",
        // IPv6: ULA fc00::/7 (RFC 4193) is private, deprecated site-local too; GUA 2000::/3 is public
        "fd12:3456:789a::1, PRIVATE", "fc00::1, PRIVATE", "fec0::1, PRIVATE",
        "2001:db8::1, PUBLIC", "2a00:1450:4001:80b::200e, PUBLIC",
        // IPv4-mapped IPv6 is classified as the IPv4 address it carries
        "::ffff:100.64.1.1, CGNAT", "::ffff:192.168.1.1, PRIVATE", "::ffff:203.0.113.1, PUBLIC"
    })
    void classifies(String address, AddressClass expected) throws Exception {
        assertThat(AddressClass.of(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"PUBLIC, true", "PRIVATE, false", "CGNAT, false", "LOOPBACK, false", "LINK_LOCAL, false",
        "UNSPECIFIED, false"})
    void onlyPublicIsPublic(AddressClass c, boolean isPublic) {
        assertThat(c.isPublic()).isEqualTo(isPublic);
        assertThat(c.id()).matches("[a-z-]+");
        assertThat(c.description()).isNotBlank();
    }
}
