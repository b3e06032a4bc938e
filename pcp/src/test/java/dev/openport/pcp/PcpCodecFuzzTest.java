package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Hostile bytes against the codec: decoding either yields a message that re-encodes to exactly the same bytes
 * or fails with {@link PcpFormatException} carrying a result code a server would send — never another
 * exception. Without {@code JAZZER_FUZZ} this replays the seed corpus in
 * {@code PcpCodecFuzzTestInputs/<method>/}; with {@code JAZZER_FUZZ=1} it fuzzes each target for 30 s.
 */
class PcpCodecFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void decode(byte[] data) {
        roundTrip(data);
    }

    /**
     * A well-formed version-2 header with a fuzzed tail, so the fuzzer spends its time in the MAP/PEER payloads
     * and the option list rather than on the length checks.
     */
    @FuzzTest(maxDuration = "30s")
    void decodeAfterValidHeader(FuzzedDataProvider in) {
        int opcode = in.consumeInt(0, 3);
        boolean response = in.consumeBoolean();
        byte[] tail = in.consumeRemainingAsBytes();
        int length = Math.min(PcpCodec.MAX_MESSAGE, (PcpCodec.HEADER + tail.length) & ~3);
        byte[] data = new byte[length];
        data[0] = 2;
        data[1] = (byte) ((response ? 0x80 : 0) | opcode);
        System.arraycopy(tail, 0, data, PcpCodec.HEADER, length - PcpCodec.HEADER);
        roundTrip(data);
    }

    private static void roundTrip(byte[] data) {
        PcpMessage m;
        try {
            m = PcpCodec.decode(data);
        } catch (PcpFormatException e) {
            assertThat(e.resultCode()).isIn(3, 5, 6);
            return;
        }
        assertThat(data.length).isBetween(PcpCodec.HEADER, PcpCodec.MAX_MESSAGE);
        assertThat(PcpCodec.encode(m)).isEqualTo(data);
        for (PcpOption o : m.options()) {
            assertThat(o.isMandatory() ? o.code() : PcpOption.FILTER).isBetween(1, 3);
        }
    }
}
