package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * UPnP parsing and encoding throughput on real miniupnpd 2.3.1 answers (see {@code fixtures/README.md}): an SSDP
 * search response, the root description (hardened DOM parse), a SOAP success and a SOAP fault, and encoding an
 * AddPortMapping request. In the codecs' package because they are package-private.
 * Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class UpnpCodecBench {
    private static final String WANIP1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
    private static final URI LOCATION = URI.create("http://198.18.0.1:2869/rootDesc.xml");

    private final byte[] ssdp = fixture("msearch-response-igd1.ssdp");
    private final byte[] rootDesc = fixture("rootDesc.xml");
    private final byte[] externalIp = body(fixture("getexternalip.http"));
    private final byte[] addOk = body(fixture("addportmapping-ok.http"));
    private final byte[] add718 = body(fixture("addportmapping-718-other-client.http"));
    private final Map<String, String> addArgs = new LinkedHashMap<>();

    public UpnpCodecBench() {
        addArgs.put("NewRemoteHost", "");
        addArgs.put("NewExternalPort", "25565");
        addArgs.put("NewProtocol", "TCP");
        addArgs.put("NewInternalPort", "25565");
        addArgs.put("NewInternalClient", "198.18.0.2");
        addArgs.put("NewEnabled", "1");
        addArgs.put("NewPortMappingDescription", "openport");
        addArgs.put("NewLeaseDuration", "7200");
    }

    @Benchmark
    public Ssdp.Answer parseSsdpResponse() throws PortMappingException {
        return Ssdp.parse(ssdp, 0, ssdp.length);
    }

    @Benchmark
    public DeviceDescription parseRootDescription() throws PortMappingException {
        return DeviceDescription.parse(rootDesc, LOCATION);
    }

    @Benchmark
    public byte[] encodeAddPortMapping() {
        return Soap.request(WANIP1, "AddPortMapping", addArgs);
    }

    @Benchmark
    public Soap.Response parseAddPortMappingOk() throws PortMappingException {
        return Soap.parse(200, addOk, "AddPortMapping");
    }

    @Benchmark
    public Soap.Response parseGetExternalIp() throws PortMappingException {
        return Soap.parse(200, externalIp, "GetExternalIPAddress");
    }

    @Benchmark
    public Soap.Response parseFault718() throws PortMappingException {
        return Soap.parse(500, add718, "AddPortMapping");
    }

    static byte[] fixture(String name) {
        try (InputStream in = UpnpCodecBench.class.getResourceAsStream("/fixtures/miniupnpd-lab/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing bench fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of a captured HTTP response: what follows the first blank line. */
    static byte[] body(byte[] http) {
        String s = new String(http, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("\r\n\r\n");
        int skip = 4;
        if (at < 0) {
            at = s.indexOf("\n\n");
            skip = 2;
        }
        if (at < 0) {
            throw new IllegalStateException("no blank line in a captured HTTP response");
        }
        return Arrays.copyOfRange(http, at + skip, http.length);
    }
}
