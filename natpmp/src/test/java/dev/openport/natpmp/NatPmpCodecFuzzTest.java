package dev.openport.natpmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.openport.core.PortMappingException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Hostile bytes against the codec: decoding either yields a message that re-encodes to exactly the same bytes
 * or fails with {@link PortMappingException} — never another exception, never a lenient parse. Without
 * {@code JAZZER_FUZZ} this replays the seed corpus in {@code NatPmpCodecFuzzTestInputs/<method>/}.
 */
class NatPmpCodecFuzzTest {
    private static final InetAddress GW = InetAddress.getLoopbackAddress();

    @FuzzTest(maxDuration = "30s")
    void decodeResponse(byte[] data) {
        NatPmpResponse r;
        try {
            r = NatPmpCodec.decodeResponse(data, data.length);
        } catch (PortMappingException e) {
            assertThat(e.reason()).isIn(PortMappingException.Reason.PROTOCOL_ERROR,
                    PortMappingException.Reason.UNSUPPORTED);
            return;
        }
        assertThat(NatPmpCodec.encode(r)).isEqualTo(data);
        try {
            NatPmpCodec.check(r, GW);
        } catch (PortMappingException e) {
            assertThat(e.protocolCode()).hasValue(r.resultCode());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void decodeRequest(byte[] data) {
        NatPmpRequest r;
        try {
            r = NatPmpCodec.decodeRequest(data, data.length);
        } catch (PortMappingException e) {
            return;
        }
        assertThat(NatPmpCodec.encode(r)).isEqualTo(data);
    }

    @FuzzTest(maxDuration = "30s")
    void announcement(byte[] data) {
        try (GatewayMonitor monitor = new GatewayMonitor(GW, System::nanoTime)) {
            boolean accepted = AnnouncementListener.handle(data, data.length, new InetSocketAddress(GW, 5351), GW,
                    monitor);
            assertThat(monitor.externalAddress().isPresent()).isEqualTo(accepted);
        }
    }
}
