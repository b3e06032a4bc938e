package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.openport.core.PortMappingException;
import java.net.URI;

/**
 * Hostile bytes against the three parsers of network input: each yields a typed result or fails with
 * {@link PortMappingException} {@code PROTOCOL_ERROR} — never another exception, never a hang. Without
 * {@code JAZZER_FUZZ} this replays the seed corpus in {@code UpnpParsersFuzzTestInputs/<method>/}.
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
                    UpnpErrors.reasonOf(r.faultCode());
                }
            } catch (PortMappingException e) {
                assertThat(e.reason()).isEqualTo(PortMappingException.Reason.PROTOCOL_ERROR);
            }
        }
    }
}
