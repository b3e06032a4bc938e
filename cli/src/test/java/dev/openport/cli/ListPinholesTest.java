package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openport list} shows the IPv6 pinholes openport recorded: a UPnP one is checked with the router
 * (GetPinholePackets on a loopback IGD on [::1]: held, or missing after 704), a PCP one is shown as recorded.
 */
class ListPinholesTest {
    @TempDir
    Path dir;

    FakePinholeIgd igd;
    StateFile state;

    @BeforeEach
    void start() throws Exception {
        igd = new FakePinholeIgd();
        state = new StateFile(dir.resolve("mappings.json"));
    }

    @AfterEach
    void stop() throws Exception {
        igd.close();
    }

    PortMapping pinhole(MappingProtocol protocol, Transport t, int port, String protocolState) throws Exception {
        InetAddress six = InetAddress.getByName("::1");
        return new PortMapping(MappingRequest.of(t, port).withInternalAddress(six), six, six, port,
                Duration.ofHours(1), Instant.now().plusSeconds(3600), protocol, six, ProtocolState.of(protocolState));
    }

    String[] cli(String... args) {
        // --protocol natpmp: no IPv4 table to ask for (NAT-PMP cannot list), so only the pinholes go to the net
        return FakeArgs.natPmp(9, state.path(), List.of(List.of(args), List.of("--upnp-url", igd.location(),
                "--no-cache")).stream().flatMap(List::stream).toArray(String[]::new));
    }

    @Test
    void upnpPinholesAreCheckedWithTheRouterAndPcpOnesAreShownAsRecorded() throws Exception {
        igd.pinholes.add(7);
        state.put(StateFile.Entry.of(pinhole(MappingProtocol.UPNP, Transport.TCP, 41600,
                "upnp-pinhole;id=7;ctl=" + igd.controlUrl())));
        state.put(StateFile.Entry.of(pinhole(MappingProtocol.UPNP, Transport.UDP, 41601,
                "upnp-pinhole;id=8;ctl=" + igd.controlUrl()))); // the router forgot this one
        state.put(StateFile.Entry.of(pinhole(MappingProtocol.PCP, Transport.TCP, 41602, "00112233445566778899aabb")));

        Cli.Result r = Cli.run(cli("list"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("no mappings recorded", "IPv6 pinholes openport opened");
        assertThat(r.out()).containsPattern("tcp +\\[0:0:0:0:0:0:0:1\\]:41600 +\\S+ +UPnP +held +openport")
                .containsPattern("udp +\\[0:0:0:0:0:0:0:1\\]:41601 +\\S+ +UPnP +missing")
                .containsPattern("tcp +\\[0:0:0:0:0:0:0:1\\]:41602 +\\S+ +PCP +recorded");
        // read-only: the router was asked, never told to add, update or delete anything
        assertThat(igd.actions).contains("GetPinholePackets")
                .noneMatch(a -> a.startsWith("Add") || a.startsWith("Update") || a.startsWith("Delete"));

        Map<String, Object> doc = Cli.run(cli("list", "--json")).json();
        assertThat(Cli.list(doc.get("mappings"))).isEmpty(); // pinholes are not IPv4 mappings
        List<Map<String, Object>> ph = Cli.list(doc.get("pinholes"));
        assertThat(ph).extracting(p -> p.get("externalPort")).containsExactly(41600L, 41601L, 41602L);
        assertThat(ph).extracting(p -> p.get("status")).containsExactly("held", "missing", "recorded");
        assertThat(ph.get(0)).containsEntry("protocol", "upnp").containsEntry("transport", "tcp")
                .containsEntry("statusDetail", null);
    }

    @Test
    void aRouterThatDoesNotAnswerLeavesThePinholeUnknownWithTheReason() throws Exception {
        state.put(StateFile.Entry.of(pinhole(MappingProtocol.UPNP, Transport.TCP, 41600,
                "upnp-pinhole;id=7;ctl=" + igd.controlUrl())));
        igd.close();
        Map<String, Object> doc = Cli.run(cli("list", "--json", "--timeout", "500ms")).json();
        Map<String, Object> p = Cli.list(doc.get("pinholes")).get(0);
        assertThat(p).containsEntry("status", "unknown");
        assertThat((String) p.get("statusDetail")).isNotBlank();
    }

    @Test
    void withoutPinholesTheOutputIsWhatItWas() {
        Cli.Result r = Cli.run(cli("list"));
        assertThat(r.out()).doesNotContain("IPv6");
        assertThat(Cli.list(Cli.run(cli("list", "--json")).json().get("pinholes"))).isEmpty();
        assertThat(igd.actions).isEmpty();
    }
}
