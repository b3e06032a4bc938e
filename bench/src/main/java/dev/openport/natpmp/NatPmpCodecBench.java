package dev.openport.natpmp;

import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * NAT-PMP codec throughput (RFC 6886): what one map request costs to encode and one answer to decode. Lives in
 * the codec's package because the codec is package-private (split package on the class path; bench only).
 * Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class NatPmpCodecBench {
    private final NatPmpRequest.Map mapRequest = new NatPmpRequest.Map(Transport.TCP, 25565, 25565, 7200);
    private final byte[] mapResponse;
    private final byte[] externalAddressResponse;

    public NatPmpCodecBench() {
        mapResponse = NatPmpCodec.encode(new NatPmpResponse.Map(Transport.TCP, 0, 12345, 25565, 25565, 7200));
        try {
            Inet4Address ext = (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 1});
            externalAddressResponse = NatPmpCodec.encode(new NatPmpResponse.ExternalAddress(0, 12345, ext));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Benchmark
    public byte[] encodeMapRequest() {
        return NatPmpCodec.encode(mapRequest);
    }

    @Benchmark
    public NatPmpResponse decodeMapResponse() throws PortMappingException {
        return NatPmpCodec.decodeResponse(mapResponse, mapResponse.length);
    }

    @Benchmark
    public NatPmpResponse decodeExternalAddressResponse() throws PortMappingException {
        return NatPmpCodec.decodeResponse(externalAddressResponse, externalAddressResponse.length);
    }
}
