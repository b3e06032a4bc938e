package dev.openport.pcp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
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
 * PCP codec throughput (RFC 6887 §7, §11): encoding a MAP request (60 octets) and decoding the MAP answer, the
 * two codec calls of every mapping and renewal. In the codec's package because the codec is package-private.
 * Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PcpCodecBench {
    private final PcpMessage mapRequest;
    private final byte[] mapResponse;

    public PcpCodecBench() {
        try {
            InetAddress client = InetAddress.getByName("198.18.0.2");
            InetAddress external = InetAddress.getByName("203.0.113.1");
            Octets nonce = Octets.fromHex("0123456789abcdef01234567");
            PcpPayload.Map asked = new PcpPayload.Map(nonce, 6, 25565, 25565, PcpAddresses.unspecifiedLike(client));
            mapRequest = PcpMessage.request(PcpMessage.OPCODE_MAP, 7200, client, asked, List.of());
            PcpPayload.Map granted = new PcpPayload.Map(nonce, 6, 25565, 25565, external);
            mapResponse = PcpCodec.encode(PcpMessage.response(PcpMessage.VERSION, PcpMessage.OPCODE_MAP, 0, 7200,
                    12345, granted, List.of()));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Benchmark
    public byte[] encodeMapRequest() {
        return PcpCodec.encode(mapRequest);
    }

    @Benchmark
    public PcpMessage decodeMapResponse() throws PcpFormatException {
        return PcpCodec.decode(mapResponse, mapResponse.length);
    }
}
