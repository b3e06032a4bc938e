package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code map any/both}: the gateway picks TCP's port, UDP asks for the same one (one-shot and {@code --keep}), and
 * a gateway that grants UDP another port is named in a warning — against the loopback NAT-PMP fake.
 */
class AnyPortBothTest extends LoopbackNatPmpCliTest {
    @Test
    void oneShotWarnsWhenTheGatewayGivesUdpAnotherPort() {
        gw.grantPort = 41000;
        gw.grantUdpPort = 41001;
        Cli.Result r = Cli.run(cli("map", "any/both"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(":41000/tcp", ":41001/udp");
        assertThat(r.err()).contains("granted 41000 for TCP but 41001 for UDP");
    }

    @Test
    void keepAsksUdpForThePortTcpGotAndStaysQuietWhenTheyMatch() throws Exception {
        gw.grantPort = 41000; // whatever port was suggested: the gateway chooses
        String text = keepUntilMapped(2);
        assertThat(gw.nonDeletes()).filteredOn(m -> m.op() == 1).first()
                .satisfies(udp -> assertThat(udp.suggestedExternalPort()).isEqualTo(41000));
        assertThat(text).contains(":41000/tcp", ":41000/udp").doesNotContain("for UDP:");
    }

    @Test
    void keepWarnsWhenTheGatewayGivesUdpAnotherPort() throws Exception {
        gw.grantPort = 41000;
        gw.grantUdpPort = 41001;
        assertThat(keepUntilMapped(2)).contains("granted 41000 for TCP but 41001 for UDP");
    }

    /** Runs {@code map any/both --keep} until both mappings are made, stops it as Ctrl-C would; out + err. */
    private String keepUntilMapped(int mappings) throws Exception {
        KeepRun run = KeepRun.start(cli("map", "any/both", "--keep"));
        run.waitFor(() -> run.out().contains("keeping " + mappings), 8000);
        assertThat(run.stop()).as(run.err()).isZero();
        return run.out() + run.err();
    }
}
