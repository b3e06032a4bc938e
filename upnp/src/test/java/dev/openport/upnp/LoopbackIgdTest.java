package dev.openport.upnp;

import dev.openport.core.PortMappingException;
import dev.openport.core.spi.ProbeContext;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the UPnP client tests against {@link FakeIgd} share: a fresh fake IGD on loopback per test, no location
 * remembered from another test (discovery keeps one per gateway), and the mapper closed afterwards.
 */
abstract class LoopbackIgdTest {
    static final InetAddress LO = FakeIgd.LOOPBACK;
    FakeIgd igd;
    /** The mapper {@link #probe()} made, closed after the test. */
    UpnpPortMapper mapper;

    @BeforeEach
    void start() throws Exception {
        Discovery.forget(LO);
        igd = new FakeIgd();
    }

    @AfterEach
    void stop() {
        if (mapper != null) {
            mapper.close();
        }
        igd.close();
        Discovery.forget(LO);
    }

    /** Probing the fake: SSDP to its unicast socket, a 2 s timeout. */
    ProbeContext ctx() {
        return new ProbeContext(LO, LO, Duration.ofSeconds(2), igd.ssdpPort(), null, false);
    }

    /**
     * Probes the fake into {@link #mapper} and forgets the requests the probe made, so a test sees only its own.
     */
    UpnpPortMapper probe() throws PortMappingException {
        mapper = (UpnpPortMapper) new UpnpProvider().probe(ctx());
        igd.requests.clear();
        return mapper;
    }

    /** Probes the fake as a caller would: the test closes the mapper, and the probe's requests stay listed. */
    UpnpPortMapper probeKeepingRequests() throws PortMappingException {
        return (UpnpPortMapper) new UpnpProvider().probe(ctx());
    }
}
