package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProbeContext;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code MappingRequest.anyPort} over PCP: the mapping always forwards P to the same port P. */
class PcpAnyPortTest {
    private static final int UDP = 17;
    private FakePcpServer server;
    private PcpPortMapper mapper;

    @BeforeEach
    void start() throws IOException {
        server = FakePcpServer.ipv4();
        mapper = new PcpPortMapper(new ProbeContext(server.address().getAddress(), server.address().getAddress(),
                Duration.ofSeconds(2), server.port(), null, false));
    }

    @AfterEach
    void stop() throws IOException {
        mapper.close();
        server.close();
    }

    private List<PcpPayload.Map> maps() {
        return server.requests().stream().filter(r -> r.opcode() == PcpMessage.OPCODE_MAP).map(PcpMessage::map)
                .toList();
    }

    @Test
    void aPickedPortIsAskedAsBothPorts() throws Exception {
        PortMapping m = mapper.map(MappingRequest.anyPort(Transport.UDP));
        assertThat(m.internalPort()).isEqualTo(m.externalPort()).isBetween(49152, 65535);
        PcpPayload.Map sent = maps().get(0);
        assertThat(sent.internalPort()).isEqualTo(m.externalPort());   // never 0: that means "all ports" (§11.1)
        assertThat(sent.externalPort()).isEqualTo(sent.internalPort());
        assertThat(server.hasMapping(UDP, m.externalPort())).isTrue();
    }

    @Test
    void anotherGrantedPortIsGivenBackAndAskedForAsPToP() throws Exception {
        server.occupy(6881);   // the fake then grants 40000 + 6881 % 20000 = 46881 for internal port 6881
        PortMapping m = mapper.map(MappingRequest.anyPort(Transport.UDP).withExternalPort(6881));
        assertThat(m.externalPort()).isEqualTo(46881);
        assertThat(m.internalPort()).isEqualTo(46881);
        List<PcpMessage> sent = server.requests();
        assertThat(sent).extracting(r -> r.map().internalPort(), PcpMessage::lifetime).containsExactly(
                org.assertj.core.groups.Tuple.tuple(6881, 7200L),
                org.assertj.core.groups.Tuple.tuple(6881, 0L),        // 46881 -> 6881 deleted
                org.assertj.core.groups.Tuple.tuple(46881, 7200L));
        assertThat(server.hasMapping(UDP, 6881)).isFalse();
        assertThat(server.hasMapping(UDP, 46881)).isTrue();
    }

    @Test
    void renewalAndDeletionNameTheWirePortWithTheSameNonce() throws Exception {
        PortMapping m = mapper.map(MappingRequest.anyPort(Transport.UDP).withExternalPort(6881));
        PortMapping renewed = mapper.renew(m);
        assertThat(renewed.externalPort()).isEqualTo(6881);
        assertThat(renewed.protocolState().text()).isEqualTo(m.protocolState().text());
        assertThat(maps().get(1).nonce()).isEqualTo(maps().get(0).nonce());
        mapper.unmap(renewed);
        assertThat(server.hasMapping(UDP, 6881)).isFalse();
        assertThat(maps().get(2).internalPort()).isEqualTo(6881);
    }

    @Test
    void aFixedRequestKeepsThePlainNonceState() throws Exception {
        PortMapping m = mapper.map(MappingRequest.of(Transport.UDP, 27015));
        assertThat(m.protocolState().text()).matches("[0-9a-f]{24}");
        assertThat(PcpMaps.wireInternalPort(m)).isEqualTo(27015);
    }

    @Test
    void aPermanentRequestIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> mapper.map(MappingRequest.of(Transport.UDP, 27015).withLifetime(Duration.ZERO)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(PortMappingException.Reason.UNSUPPORTED));
        assertThat(server.requests()).isEmpty();
    }
}
