package dev.openport.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Our JDK-only address text against RFC 5952's examples and against Guava (test scope only) as an oracle. */
class IpTextTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // RFC 5952 §4.2.1-§4.3 and §2 examples
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "fe80:0:0:0:0:0:0:1%1, fe80::1",
        "203.0.113.1, 203.0.113.1",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255"
    })
    void formatsAsRfc5952(String literal, String expected) throws Exception {
        assertThat(IpText.format(InetAddress.getByName(literal))).isEqualTo(expected);
    }

    @Test
    void formatsEveryZeroPatternAsGuavaDoes() throws Exception {
        // all 256 patterns of zero and non-zero groups, each with random non-zero values: every run length and tie
        Random random = new Random(5952);
        for (int pattern = 0; pattern < 256; pattern++) {
            for (int round = 0; round < 20; round++) {
                byte[] b = new byte[16];
                for (int g = 0; g < 8; g++) {
                    if ((pattern & (1 << g)) != 0) {
                        int v = 1 + random.nextInt(0xffff);
                        if (round % 4 == 0) {
                            v = 1 + random.nextInt(0xf); // short groups: no leading zeros allowed
                        }
                        b[2 * g] = (byte) (v >> 8);
                        b[2 * g + 1] = (byte) v;
                    }
                }
                InetAddress a = Inet6Address.getByAddress(null, b, null);
                assertThat(IpText.format(a)).as("pattern %s", Integer.toBinaryString(pattern))
                        .isEqualTo(InetAddresses.toAddrString(a));
            }
        }
    }

    @Test
    void formatsRandomIpv4AsGuavaDoes() throws Exception {
        Random random = new Random(791);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[4];
            random.nextBytes(b);
            InetAddress a = InetAddress.getByAddress(b);
            assertThat(IpText.format(a)).isEqualTo(InetAddresses.toAddrString(a));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.1", "0.0.0.0", "10.0.0.254", "255.255.255.255", "1.2.3.4"})
    void parsesIpv4Literals(String text) throws Exception {
        assertThat(IpText.parseIpv4(text)).contains((java.net.Inet4Address) InetAddress.getByName(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3",
        "1.2.3.", "1.2.3.4 ", "a.b.c.d", "1234.1.1.1", "-1.2.3.4", "+1.2.3.4", "::1", "localhost", "1.2.3.1000"})
    void rejectsEverythingElse(String text) {
        assertThat(IpText.parseIpv4(text)).isEmpty();
    }

    @Test
    void parsesIpv4AsGuavaDoesOnMutatedLiterals() {
        // Guava's forString is the oracle for which IPv4 texts are literals (it refuses leading zeros too)
        Random random = new Random(6886);
        String alphabet = "0123456789.";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(16);
            for (int c = 0; c < length; c++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            boolean guava = InetAddresses.isInetAddress(text) && !text.contains(":");
            assertThat(IpText.parseIpv4(text).isPresent()).as("'%s'", text).isEqualTo(guava);
            if (guava) {
                assertThat(IpText.parseIpv4(text).get()).isEqualTo(InetAddresses.forString(text));
            }
        }
    }
}
