package dev.openport.pcp;

import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every PCP client test shares: an in-process PCP server on loopback (real sockets, real bytes), mappers
 * pointed at it, and everything they open closed after each test.
 */
abstract class LoopbackPcpServerTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    FakePcpServer server;
    final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = FakePcpServer.ipv4();
        closeLater.add(server);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    ProbeContext context(Duration timeout) throws IOException {
        return new ProbeContext(server.address().getAddress(), server.address().getAddress(), timeout, server.port(),
                null, false);
    }

    PcpPortMapper mapper() throws IOException {
        return mapper(Duration.ofSeconds(2));
    }

    PcpPortMapper mapper(Duration timeout) throws IOException {
        PcpPortMapper m = new PcpPortMapper(context(timeout));
        closeLater.add(m);
        return m;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    List<PcpMessage> mapRequests() {
        return server.requests().stream().filter(r -> r.opcode() == PcpMessage.OPCODE_MAP).toList();
    }
}
