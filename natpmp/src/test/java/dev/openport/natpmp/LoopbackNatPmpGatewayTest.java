package dev.openport.natpmp;

import dev.openport.core.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the NAT-PMP exchange tests share: a scripted gateway on loopback (real UDP bytes) per test, and clients
 * that record every answer they accepted in {@link #observed}.
 */
abstract class LoopbackNatPmpGatewayTest {
    static final NatPmpRequest.Map MAP_TCP = new NatPmpRequest.Map(Transport.TCP, 25565, 25565, 7200);

    FakeNatPmpGateway gw;
    /** The answers the clients accepted, in order. */
    final List<NatPmpResponse> observed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        gw = new FakeNatPmpGateway();
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    NatPmpClient client(Duration timeout) {
        return new NatPmpClient(gw.address(), timeout, observed::add);
    }
}
