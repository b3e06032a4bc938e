package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.openport.core.PortMappingException;
import java.net.URI;

/**
 * Hostile bytes against every parser of network input (SSDP answer, device description, SOAP response, SCPD,
 * chunked HTTP body): each yields a typed result or fails with {@link PortMappingException}
 * {@code PROTOCOL_ERROR} — never another exception, never a hang. Without {@code JAZZER_FUZZ} this replays the
 * seed corpus in {@code UpnpParsersFuzzTestInputs/<method>/}; docs/fuzzing.md says how to fuzz for longer.
 */
class UpnpParsersFuzzTest {
    private static final URI LOCATION = URI.create("http://192.168.1.1:5000/rootDesc.xml");

    @FuzzTest(maxDuration = "30s")
    void ssdpAnswer(byte[] data) {
        try {
            Ssdp.Answer a = Ssdp.parse(data, 0, data.length);
            assertThat(a.location()).isNotEmpty();
            a.udn();
            a.looksLikeGateway();
        } catch (PortMappingException e) {
            assertThat(e.reason()).isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void deviceDescription(byte[] data) {
        try {
            DeviceDescription d = DeviceDescription.parse(data, LOCATION);
            for (WanService s : d.connections()) {
                assertThat(s.controlUrl().getScheme()).isEqualToIgnoringCase("http");
                s.version();
                s.hasAddAny();
            }
        } catch (PortMappingException e) {
            assertThat(e.reason()).isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void soapResponse(byte[] data) {
        for (int status : new int[] {200, 500}) {
            try {
                Soap.Response r = Soap.parse(status, data, "GetSpecificPortMappingEntry");
                if (r.isFault()) {
                    assertThat(r.faultCode()).isPositive();
                    UpnpErrors.reasonOf("AddPortMapping", r.faultCode());
                }
            } catch (PortMappingException e) {
                assertThat(e.reason()).isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void scpd(byte[] data) {
        try {
            long max = Scpd.maxLeaseSeconds(data);
            assertThat(max == -1 || max > 0).as("max lease %d", max).isTrue();
        } catch (PortMappingException e) {
            assertThat(e.reason()).isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR);
        }
    }

    /** The chunked decoder runs on every read of a response: it must never overrun its limit or throw. */
    @FuzzTest(maxDuration = "30s")
    void chunkedBody(FuzzedDataProvider in) {
        int maxBody = in.consumeInt(0, 4096);
        int from = in.consumeInt(0, 8);
        byte[] bytes = in.consumeRemainingAsBytes();
        from = Math.min(from, bytes.length);
        byte[] body = MiniHttp.Chunked.decode(bytes, from, bytes.length, maxBody);
        if (body != null && body != MiniHttp.Chunked.TOO_LARGE && body != MiniHttp.Chunked.MALFORMED) {
            assertThat(body.length).isLessThanOrEqualTo(Math.min(maxBody, bytes.length - from));
        }
    }
}
