package dev.openport.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMapping;
import dev.openport.core.PortMappingException;
import dev.openport.core.PortMappingException.Reason;
import dev.openport.core.Transport;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The PCP client against an in-process PCP server on loopback: discovery, MAP, renewal, deletion, refusals. */
class PcpPortMapperTest extends LoopbackPcpServerTest {
    // --- discovery ---

    @Test
    void providerIsFoundByServiceLoaderAndProbesWithAnnounce() throws Exception {
        PortMapperProvider provider = ServiceLoader.load(PortMapperProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.protocol() == MappingProtocol.PCP)
                .findFirst().orElseThrow();
        try (PortMapper m = provider.probe(context(Duration.ofSeconds(2)))) {
            assertThat(m.protocol()).isEqualTo(MappingProtocol.PCP);
            assertThat(m.gateway()).isEqualTo(LOOPBACK);
        }
        PcpMessage announce = server.requests().get(0);
        assertThat(announce.opcode()).isEqualTo(PcpMessage.OPCODE_ANNOUNCE);
        assertThat(announce.lifetime()).isZero();
        assertThat(announce.clientAddress()).isEqualTo(LOOPBACK);
        // on the wire, the IPv4 client address is IPv4-mapped (§5)
        assertThat(PcpCodec.encode(announce)).containsSubsequence(HexFormat.of().parseHex(
                "00000000000000000000ffff7f000001"));
    }

    @Test
    void openSendsNothingSoTheFirstMapIsTheProbe() throws Exception {
        try (PortMapper m = new PcpProvider().open(context(Duration.ofSeconds(2)))) {
            m.map(MappingRequest.of(Transport.UDP, 4000));
        }
        assertThat(server.datagramsReceived()).isEqualTo(1);
        assertThat(server.requests().get(0).opcode()).isEqualTo(PcpMessage.OPCODE_MAP);
    }

    @Test
    void natPmpOnlyGatewayAnsweringVersion0UnsupportedVersionIsReportedForFallback() throws Exception {
        server.responder = (req, raw, s) -> List.of(HexFormat.of().parseHex("00800001"));
        PcpProvider provider = new PcpProvider();
        assertThatThrownBy(() -> provider.probe(context(Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.getMessage()).contains("NAT-PMP only");
                    assertThat(e.protocolCode()).hasValue(1);
                });
        assertThatThrownBy(() -> mapper().map(MappingRequest.of(Transport.TCP, 80)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED));
    }

    @Test
    void natPmpVersion0InAFullSizeReplyAlsoMeansNatPmpOnly() {
        server.responder = (req, raw, s) -> List.of(new byte[24]);
        assertThatThrownBy(() -> new PcpProvider().probe(context(Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.getMessage()).contains("NAT-PMP only"));
    }

    @Test
    void pcpServerUnsupportedVersionWithLowerVersionIsHonoured() throws Exception {
        // a pre-RFC (version 1) server names the version it speaks (§9); we do not downgrade to it
        server.responder = (req, raw, s) -> List.of(PcpCodec.encode(PcpMessage.response(1, req.opcode(), 1, 0, 77,
                new PcpPayload.Raw(Octets.EMPTY), List.of())));
        assertThatThrownBy(() -> new PcpProvider().probe(context(Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
                    assertThat(e.getMessage()).contains("PCP version 1 only").doesNotContain("NAT-PMP");
                    assertThat(e.protocolCode()).hasValue(1);
                });
        assertThat(server.datagramsReceived()).isEqualTo(1);
    }

    // --- MAP, renew, delete ---

    @Test
    void mapsTcpAndUdpWithARandomNonceKeptAsProtocolState() throws Exception {
        PcpPortMapper m = mapper();
        PortMapping tcp = m.map(MappingRequest.of(Transport.TCP, 25565));
        PortMapping udp = m.map(MappingRequest.of(Transport.UDP, 25565).withLifetime(Duration.ofSeconds(600)));
        assertThat(tcp.external()).hasToString("203.0.113.7:25565");
        assertThat(tcp.lifetime()).isEqualTo(Duration.ofHours(2));
        assertThat(tcp.internalAddress()).isEqualTo(LOOPBACK);
        assertThat(tcp.protocol()).isEqualTo(MappingProtocol.PCP);
        assertThat(udp.lifetime()).isEqualTo(Duration.ofSeconds(600));
        List<PcpMessage> sent = mapRequests();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).map().protocol()).isEqualTo(6);
        assertThat(sent.get(1).map().protocol()).isEqualTo(17);
        assertThat(sent.get(0).lifetime()).isEqualTo(7200);
        assertThat(sent.get(0).map().externalAddress()).isEqualTo(PcpAddresses.IPV4_UNSPECIFIED);
        assertThat(tcp.protocolState().text()).matches("[0-9a-f]{24}").isEqualTo(sent.get(0).map().nonce().toHex());
        assertThat(udp.protocolState().text()).isEqualTo(sent.get(1).map().nonce().toHex())
                .isNotEqualTo(tcp.protocolState().text());
        assertThat(server.hasMapping(6, 25565)).isTrue();
        assertThat(server.hasMapping(17, 25565)).isTrue();
    }

    @Test
    void gatewayChosenPortIsReported() throws Exception {
        server.occupy(25565);
        PortMapping m = mapper().map(MappingRequest.of(Transport.TCP, 25565));
        assertThat(m.externalPort()).isEqualTo(45565);
        assertThat(mapRequests().get(0).options()).isEmpty();   // no PREFER_FAILURE unless asked
    }

    @Test
    void renewReusesTheNonceAndSuggestsTheHeldPort() throws Exception {
        PcpPortMapper m = mapper();
        PortMapping first = m.map(MappingRequest.of(Transport.UDP, 27015));
        PortMapping renewed = m.renew(first);
        assertThat(renewed.externalPort()).isEqualTo(first.externalPort());
        assertThat(renewed.protocolState().text()).isEqualTo(first.protocolState().text());
        PcpMessage renewal = mapRequests().get(1);
        assertThat(renewal.map().nonce()).isEqualTo(mapRequests().get(0).map().nonce());
        assertThat(renewal.map().externalPort()).isEqualTo(first.externalPort());
        assertThat(renewal.map().externalAddress()).isEqualTo(first.externalAddress());
    }

    @Test
    void renewalAfterTheServerLostStateReportsTheNewPortItGranted() throws Exception {
        PcpPortMapper m = mapper();
        PortMapping first = m.map(MappingRequest.of(Transport.TCP, 27016));
        server.forgetAll();
        server.occupy(27016);   // someone else took the port while the gateway was down
        PortMapping renewed = m.renew(first);
        assertThat(renewed.externalPort()).isNotEqualTo(first.externalPort()).isEqualTo(47016);
        assertThat(renewed.protocolState().text()).isEqualTo(first.protocolState().text());
    }

    @Test
    void anotherProcessCanRenewAndDeleteWithTheStoredNonce() throws Exception {
        PortMapping made = mapper().map(MappingRequest.of(Transport.TCP, 8080));
        // a fresh mapper (as the CLI's `unmap` in another process) has only the PortMapping
        PcpPortMapper other = mapper();
        PortMapping renewed = other.renew(made);
        assertThat(renewed.externalPort()).isEqualTo(made.externalPort());
        other.unmap(renewed);
        assertThat(server.hasMapping(6, 8080)).isFalse();
    }

    @Test
    void unmapSendsLifetimeZeroWithTheSameNonceAndIsIdempotent() throws Exception {
        PcpPortMapper m = mapper();
        PortMapping made = m.map(MappingRequest.of(Transport.TCP, 8080));
        m.unmap(made);
        PcpMessage delete = mapRequests().get(1);
        assertThat(delete.lifetime()).isZero();
        assertThat(delete.map().nonce().toHex()).isEqualTo(made.protocolState().text());
        assertThat(server.hasMapping(6, 8080)).isFalse();
        m.unmap(made);   // already gone: the server answers SUCCESS (§15)
    }

    @Test
    void miniupnpdAnswersDeleteOfAnUnknownMappingWithNoResources() throws Exception {
        // miniupnpd 2.3.1 DeletePCPMap: nothing matched -> PCP_ERR_NO_RESOURCES (seen in the lab), where §15 says
        // SUCCESS; deleting what is gone must still succeed
        server.responder = (req, raw, s) -> List.of(s.reply(req, req.lifetime() == 0 ? 8 : 0, req.lifetime(),
                req.payload()));
        PcpPortMapper m = mapper();
        PortMapping made = m.map(MappingRequest.of(Transport.TCP, 8081));
        m.unmap(made);
        // the same code on a MAP that creates something is a real failure
        server.responder = (req, raw, s) -> List.of(s.reply(req, 8, 30, req.payload()));
        assertThatThrownBy(() -> m.map(MappingRequest.of(Transport.TCP, 8082)))
                .isInstanceOfSatisfying(PortMappingException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NO_RESOURCES));
    }

    @Test
    void deleteWithAnotherNonceIsRefused() throws Exception {
        PcpPortMapper m = mapper();
        PortMapping made = m.map(MappingRequest.of(Transport.TCP, 8080));
        PortMapping forged = new PortMapping(made.request(), made.internalAddress(), made.externalAddress(),
                made.externalPort(), made.lifetime(), made.expiresAt(), made.protocol(), made.gateway(),
                ProtocolState.of("00112233445566778899aabb"));
        assertThatThrownBy(() -> m.unmap(forged)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NOT_AUTHORIZED);
            assertThat(e.protocolCode()).hasValue(2);
        });
        assertThat(server.hasMapping(6, 8080)).isTrue();
    }

    @Test
    void externalAddressMapsOurOwnSocketPortBrieflyAndDeletesIt() throws Exception {
        assertThat(mapper().externalAddress()).isEqualTo(InetAddress.getByName("203.0.113.7"));
        List<PcpMessage> sent = mapRequests();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).lifetime()).isEqualTo(PcpPortMapper.EXTERNAL_ADDRESS_PROBE_LIFETIME);
        assertThat(sent.get(1).lifetime()).isZero();
        assertThat(sent.get(1).map().nonce()).isEqualTo(sent.get(0).map().nonce());
        assertThat(server.hasMapping(17, sent.get(0).map().internalPort())).isFalse();
    }

    @Test
    void exactExternalPortSendsPreferFailureAndConflictIsReported() throws Exception {
        server.occupy(443);
        MappingRequest exact = MappingRequest.of(Transport.TCP, 8443).withExternalPort(443).requireExactExternalPort();
        assertThatThrownBy(() -> mapper().map(exact)).isInstanceOfSatisfying(PortMappingException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
            assertThat(e.protocolCode()).hasValue(11);
            assertThat(e.getMessage()).contains("CANNOT_PROVIDE_EXTERNAL");
        });
        assertThat(mapRequests().get(0).option(PcpOption.PREFER_FAILURE)).isNotNull();
    }

    @Test
    void serverIgnoringPreferFailureGetsTheUnwantedPortBack() throws Exception {
        server.occupy(443);
        server.responder = (req, raw, s) -> {
            // strips PREFER_FAILURE before handling, as a server that does not implement it would
            PcpMessage plain = new PcpMessage(req.version(), req.opcode(), false, 0, req.lifetime(), 0,
                    req.clientAddress(), req.reserved(), req.payload(), List.of());
            return FakePcpServer.standard(plain, raw, s);
        };
        MappingRequest exact = MappingRequest.of(Transport.TCP, 8443).withExternalPort(443).requireExactExternalPort();
        assertThatThrownBy(() -> mapper().map(exact)).isInstanceOfSatisfying(PortMappingException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT));
        assertThat(mapRequests()).hasSize(2);
        assertThat(mapRequests().get(1).lifetime()).isZero();
        assertThat(server.hasMapping(6, 8443)).isFalse();
    }

    @Test
    void internalAddressOfAnotherHostIsSentAsThirdParty() throws Exception {
        InetAddress other = InetAddress.getByName("127.0.0.9");
        PortMapping m = mapper().map(MappingRequest.of(Transport.TCP, 3000).withInternalAddress(other));
        assertThat(m.internalAddress()).isEqualTo(other);
        PcpOption third = mapRequests().get(0).option(PcpOption.THIRD_PARTY);
        assertThat(third.thirdPartyAddress()).isEqualTo(other);
        assertThat(mapRequests().get(0).clientAddress()).isEqualTo(LOOPBACK);
    }

    @ParameterizedTest(name = "result {0} -> {1}")
    @CsvSource({"2, NOT_AUTHORIZED", "7, NETWORK_FAILURE", "8, NO_RESOURCES", "9, UNSUPPORTED",
        "10, NO_RESOURCES", "12, NOT_AUTHORIZED", "13, NO_RESOURCES", "200, PROTOCOL_ERROR"})
    void errorAnswersBecomeTypedFailuresKeepingThePcpCode(int code, Reason reason) throws Exception {
        server.responder = (req, raw, s) -> List.of(s.reply(req, code, 30, req.payload()));
        assertThatThrownBy(() -> mapper().map(MappingRequest.of(Transport.UDP, 5000)))
                .isInstanceOfSatisfying(PortMappingException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.protocolCode()).hasValue(code);
                    assertThat(e.protocol()).isEqualTo(MappingProtocol.PCP);
                    assertThat(e.getMessage()).contains("30 s").contains("127.0.0.1");
                    if (code == 12) {
                        assertThat(e.getMessage()).contains("behind another NAT");
                    }
                });
    }

}
