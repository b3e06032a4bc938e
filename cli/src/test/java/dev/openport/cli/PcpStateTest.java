package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PCP mappings are tied to their nonce: unmap from another run works only through the state file. */
class PcpStateTest {
    @TempDir
    Path dir;

    String[] cli(FakePcpGateway gw, String... args) {
        return FakeArgs.pcp(gw.port(), dir.resolve("mappings.json"), args);
    }

    @Test
    void unmapFromAnotherRunDeletesWithTheStoredNonce() throws Exception {
        try (FakePcpGateway gw = new FakePcpGateway()) {
            Cli.Result map = Cli.run(cli(gw, "map", "25565/udp"));
            assertThat(map.code()).as(map.err()).isZero();
            assertThat(map.out()).contains("mapped 203.0.113.7:25565/udp -> 127.0.0.1:25565 via PCP");
            String nonce = gw.maps.get(0).nonce();
            assertThat(gw.live).containsEntry("17/25565", nonce);
            assertThat(new StateFile(dir.resolve("mappings.json")).read().get(0).protocolState()).isNotEmpty();

            // a new run (a new mapper, new nonces) still deletes it: the nonce comes from the state file
            Cli.Result unmap = Cli.run(cli(gw, "unmap", "25565/udp"));
            assertThat(unmap.code()).as(unmap.err()).isZero();
            List<FakePcpGateway.MapRequest> maps = gw.maps;
            FakePcpGateway.MapRequest delete = maps.get(maps.size() - 1);
            assertThat(delete.lifetime()).isZero();
            assertThat(delete.nonce()).isEqualTo(nonce);
            assertThat(gw.live).isEmpty();
            assertThat(new StateFile(dir.resolve("mappings.json")).read()).isEmpty();
        }
    }

    @Test
    void withoutARecordPcpRefusesAndTheCliSaysWhy() throws Exception {
        try (FakePcpGateway gw = new FakePcpGateway()) {
            assertThat(Cli.run(cli(gw, "map", "8080")).code()).isZero();
            java.nio.file.Files.delete(dir.resolve("mappings.json")); // the record is lost

            Cli.Result r = Cli.run(cli(gw, "unmap", "8080"));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("no record of 8080/tcp").contains("nonce");
            assertThat(gw.live).containsKey("6/8080"); // still there: its lease will end on its own
        }
    }
}
