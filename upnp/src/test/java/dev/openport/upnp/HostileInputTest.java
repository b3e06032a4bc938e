package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/security.md: the LAN is not trusted. Every attack ends in a typed error, within the deadline, leaking nothing. */
class HostileInputTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private CannedServer http;
    private CannedServer bait;

    @BeforeEach
    void start() throws Exception {
        Discovery.forget(LO);
        http = new CannedServer();
        bait = new CannedServer().respond(200, "<!ENTITY x \"pwned\">".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        bait.close();
        Discovery.forget(LO);
    }

    private PortMappingException probeFails(Duration timeout) {
        ProbeContext ctx = new ProbeContext(LO, LO, timeout, 9, http.url("/rootDesc.xml"), false);
        try {
            new UpnpProvider().probe(ctx);
        } catch (PortMappingException e) {
            return e;
        }
        throw new AssertionError("the probe accepted a hostile description");
    }

    private static String igdWith(String prolog, String friendlyName) {
        return "<?xml version=\"1.0\"?>" + prolog + "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device>"
                + "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>"
                + friendlyName + "</friendlyName><serviceList><service><serviceType>"
                + "urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl</controlURL>"
                + "</service></serviceList></device></root>";
    }

    @Test
    void xxeExternalEntityToALocalFileIsRefused(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        http.respond(200, igdWith("<!DOCTYPE root [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>", "&x;")
                .getBytes(StandardCharsets.UTF_8));
        PortMappingException e = probeFails(Duration.ofSeconds(2));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(e).hasMessageNotContaining("TOP-SECRET");
        assertThat(e.getMessage()).containsIgnoringCase("DOCTYPE");
    }

    @Test
    void xxeExternalEntityAndExternalDtdToAUrlAreNeverFetched() throws Exception {
        http.respond(200, igdWith("<!DOCTYPE root [<!ENTITY % p SYSTEM \"" + bait.url("/evil.dtd") + "\"> %p;]>",
                "&x;").getBytes(StandardCharsets.UTF_8));
        assertThat(probeFails(Duration.ofSeconds(2)).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        http.respond(200, igdWith("<!DOCTYPE root SYSTEM \"" + bait.url("/evil.dtd") + "\">", "x")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(probeFails(Duration.ofSeconds(2)).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(bait.connections.get()).isZero();
    }

    @Test
    void billionLaughsIsRefusedAtOnce() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE root [<!ENTITY l0 \"ha\">");
        for (int i = 1; i <= 10; i++) {
            dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>");
        http.respond(200, igdWith(dtd.toString(), "&l10;").getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        assertThat(probeFails(Duration.ofSeconds(2)).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void hundredMegabyteDescriptionWithContentLengthIsABoundedError() {
        http.writer(out -> write(out, ("HTTP/1.1 200 OK\r\nContent-Length: " + 100L * 1024 * 1024
                + "\r\n\r\n<root>").getBytes(StandardCharsets.US_ASCII)));
        PortMappingException e = probeFails(Duration.ofSeconds(2));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(e.getMessage()).contains("larger than");
    }

    @Test
    void hundredMegabyteDescriptionWithoutContentLengthIsABoundedError() {
        http.writer(out -> {
            write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<root>".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = "<a>x</a>".repeat(8192).getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent < 100L * 1024 * 1024; sent += chunk.length) {
                if (!write(out, chunk)) {
                    return;
                }
            }
        });
        long t0 = System.nanoTime();
        PortMappingException e = probeFails(Duration.ofSeconds(5));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void neverEndingDescriptionEndsInTimeoutWithinTheDeadline() {
        // slow loris: a byte every 20 ms forever; each read succeeds, only the total deadline stops it
        http.writer(out -> {
            write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<root>".getBytes(StandardCharsets.US_ASCII));
            while (write(out, new byte[] {' '})) {
                sleep(20);
            }
        });
        long t0 = System.nanoTime();
        PortMappingException e = probeFails(Duration.ofMillis(800));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(700)).isLessThan(Duration.ofMillis(1600));
    }

    @Test
    void neverEndingHeaderEndsInTimeout() {
        http.writer(out -> {
            write(out, "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            while (write(out, "X: y\r\n".getBytes(StandardCharsets.US_ASCII))) {
                sleep(20);
            }
        });
        PortMappingException e = probeFails(Duration.ofMillis(600));
        assertThat(e.reason()).isIn(Reason.TIMEOUT, Reason.PROTOCOL_ERROR);
    }

    @Test
    void deeplyNestedXmlIsRefusedWithoutStackOverflow() {
        String deep = "<a>".repeat(50_000) + "</a>".repeat(50_000);
        http.respond(200, ("<root><device>" + deep + "</device></root>").getBytes(StandardCharsets.UTF_8));
        assertThat(probeFails(Duration.ofSeconds(2)).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void soapAnswerWithADoctypeIsRefused() {
        String body = "<!DOCTYPE s [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><s:Envelope xmlns:s=\"http://schemas"
                + ".xmlsoap.org/soap/envelope/\"><s:Body><u:GetExternalIPAddressResponse xmlns:u=\"x\">"
                + "<NewExternalIPAddress>&x;</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body>"
                + "</s:Envelope>";
        http.respond(200, body.getBytes(StandardCharsets.UTF_8));
        IgdClient c = new IgdClient(new WanService("urn:schemas-upnp-org:service:WANIPConnection:1",
                http.url("/ctl"), null), LO, Duration.ofSeconds(1));
        try {
            c.getExternalIPAddress();
            throw new AssertionError("accepted");
        } catch (PortMappingException e) {
            assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        }
    }

    @Test
    void controlUrlOnAPublicAddressIsNotUsed() {
        String d = "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><serviceList><service><serviceType>"
                + "urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>http://8.8.8.8/ctl"
                + "</controlURL></service></serviceList></device></root>";
        http.respond(200, d.getBytes(StandardCharsets.UTF_8));
        PortMappingException e = probeFails(Duration.ofSeconds(1));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    }

    @Test
    void cleanStripsBomWhitespaceAndASecondXmlDeclarationOnly() throws Exception {
        byte[] in = ("\uFEFF  \n<?xml version=\"1.0\"?>\n<?xml version=\"1.0\"?><root/>").getBytes(StandardCharsets.UTF_8);
        assertThat(new String(SafeXml.clean(in), StandardCharsets.UTF_8)).isEqualTo("<?xml version=\"1.0\"?><root/>");
        assertThat(SafeXml.localName(SafeXml.parse(in, "t"))).isEqualTo("root");
        byte[] plain = "<root/>".getBytes(StandardCharsets.UTF_8);
        assertThat(SafeXml.clean(plain)).isSameAs(plain);
    }

    private static boolean write(OutputStream out, byte[] b) {
        try {
            out.write(b);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
