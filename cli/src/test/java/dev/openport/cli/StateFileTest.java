package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openport.core.MappingProtocol;
import dev.openport.core.MappingRequest;
import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import dev.openport.core.spi.ProtocolState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    @TempDir
    Path dir;

    static PortMapping pcpMapping(int port, Transport t, String nonce) {
        MappingRequest req = MappingRequest.of(t, port).withLifetime(Duration.ofHours(1)).withDescription("mc");
        Instant exp = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        return new PortMapping(req, IpLiteral.parse("198.18.0.2"), IpLiteral.parse("203.0.113.1"), port + 1,
                Duration.ofHours(1), exp, MappingProtocol.PCP, IpLiteral.parse("198.18.0.1"), ProtocolState.of(nonce));
    }

    @Test
    void keepsWhatIsNeededToDeleteFromAnotherProcess() throws IOException {
        StateFile state = new StateFile(dir.resolve("sub/mappings.json"));
        assertThat(state.read()).isEmpty();
        PortMapping m = pcpMapping(25565, Transport.TCP, "0123456789abcdef01234567");
        state.put(StateFile.Entry.of(m));
        state.put(StateFile.Entry.of(pcpMapping(25565, Transport.UDP, "ffff")));
        // a renewal replaces the entry instead of adding one
        state.put(StateFile.Entry.of(m));

        StateFile again = new StateFile(dir.resolve("sub/mappings.json"));
        assertThat(again.read()).hasSize(2);
        PortMapping back = again.read().stream().filter(e -> e.transport() == Transport.TCP).findFirst()
                .orElseThrow().toMapping();
        assertThat(back.protocol()).isEqualTo(MappingProtocol.PCP);
        assertThat(back.protocolState().text()).isEqualTo("0123456789abcdef01234567");
        assertThat(back.gateway()).isEqualTo(m.gateway());
        assertThat(back.internalAddress()).isEqualTo(m.internalAddress());
        assertThat(back.externalPort()).isEqualTo(25566);
        assertThat(back.internalPort()).isEqualTo(25565);
        assertThat(back.transport()).isEqualTo(Transport.TCP);
        assertThat(back.expiresAt()).isEqualTo(m.expiresAt());
        assertThat(back.request().description()).isEqualTo("mc");

        again.remove(StateFile.Entry.of(m));
        assertThat(state.read()).extracting(StateFile.Entry::transport).containsExactly(Transport.UDP);
        assertThat(Files.readString(state.path())).contains("\"version\":1");
    }

    @Test
    void permanentLeasesSurviveTheRoundTrip() throws IOException {
        StateFile state = new StateFile(dir.resolve("m.json"));
        PortMapping p = pcpMapping(80, Transport.TCP, "");
        PortMapping perm = new PortMapping(p.request(), p.internalAddress(), p.externalAddress(), 80,
                Duration.ZERO, Instant.MAX, MappingProtocol.UPNP, p.gateway(),
                ProtocolState.of("http://198.18.0.1:2869/ctl"));
        state.put(StateFile.Entry.of(perm));
        PortMapping back = state.read().get(0).toMapping();
        assertThat(back.isPermanent()).isTrue();
        assertThat(back.expiresAt()).isEqualTo(Instant.MAX);
        assertThat(state.read().get(0).expired(Instant.now())).isFalse();
    }

    @Test
    void aDamagedFileSaysHowToRecover() throws IOException {
        Path f = dir.resolve("m.json");
        Files.writeString(f, "{\"mappings\": [ {\"protocol\": \"pcp\" ");
        assertThatThrownBy(() -> new StateFile(f).read()).isInstanceOf(IOException.class)
                .hasMessageContaining("damaged").hasMessageContaining("delete it");
    }
}
