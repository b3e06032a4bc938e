package dev.openport.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The "any port" request: internal port 0 follows the granted external port. */
class MappingRequestAnyPortTest {

    @Test
    void anyPortAsksForNothingInParticular() {
        MappingRequest r = MappingRequest.anyPort(Transport.UDP);
        assertTrue(r.followsExternalPort());
        assertEquals(MappingRequest.FOLLOW_EXTERNAL_PORT, r.internalPort());
        assertEquals(0, r.externalPort());
        assertFalse(r.exactExternalPort());
        assertEquals(Transport.UDP, r.transport());
    }

    @Test
    void aSuggestedPortKeepsFollowing() {
        MappingRequest r = MappingRequest.anyPort(Transport.TCP).withExternalPort(40000).requireExactExternalPort();
        assertTrue(r.followsExternalPort());
        assertEquals(40000, r.externalPort());
        assertTrue(r.exactExternalPort());
        assertFalse(MappingRequest.of(Transport.TCP, 40000).followsExternalPort());
    }

    @Test
    void theGrantedMappingReportsTheGrantedPortAsInternalPort() throws Exception {
        InetAddress lan = InetAddress.getByName("192.0.2.10");
        InetAddress gw = InetAddress.getByName("192.0.2.1");
        PortMapping any = new PortMapping(MappingRequest.anyPort(Transport.UDP), lan, null, 38534,
                Duration.ofSeconds(60), Instant.EPOCH.plusSeconds(60), MappingProtocol.NAT_PMP, gw, ProtocolState.NONE);
        assertEquals(38534, any.internalPort());
        PortMapping fixed = new PortMapping(MappingRequest.of(Transport.UDP, 27015), lan, null, 38534,
                Duration.ofSeconds(60), Instant.EPOCH.plusSeconds(60), MappingProtocol.NAT_PMP, gw, ProtocolState.NONE);
        assertEquals(27015, fixed.internalPort());
    }
}
