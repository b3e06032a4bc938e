package dev.openport.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI tests against the loopback NAT-PMP fake share: a fresh fake per test, closed after it, and the
 * command line pointed at it with its state file in the test's own directory.
 */
abstract class LoopbackNatPmpCliTest {
    @TempDir
    Path dir;

    FakeNatPmpGateway gw;

    @BeforeEach
    void startGateway() throws Exception {
        gw = new FakeNatPmpGateway();
    }

    @AfterEach
    void stopGateway() {
        gw.close();
    }

    /** {@code args} pointed at the fake (see {@link FakeArgs}). */
    String[] cli(String... args) {
        return FakeArgs.natPmp(gw.port(), state().path(), args);
    }

    StateFile state() {
        return new StateFile(dir.resolve("state/mappings.json"));
    }
}
