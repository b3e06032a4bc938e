package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MappingProtocol;
import dev.openport.upnp.UpnpLocations;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LOCATION remembered across runs: saved per gateway and local address, seeded into discovery, a cache. */
class UpnpLocationFileTest {
    @TempDir
    Path dir;

    private static final InetAddress GATEWAY = InetAddress.getLoopbackAddress();

    @Test
    void whatThisProcessLearntIsSavedAndSeedsTheNextRun() {
        int ssdpPort = 41901; // a key of its own: the upnp module's cache is per process
        URI location = URI.create("http://127.0.0.1:41902/rootDesc.xml");
        UpnpLocations.seed(GATEWAY, ssdpPort, location);
        UpnpLocationFile file = UpnpLocationFile.beside(dir.resolve("mappings.json"));
        file.remember(GATEWAY, ssdpPort);
        assertThat(file.path()).exists().hasFileName("upnp-locations.json");
        assertThat(file.read()).containsExactly(new UpnpLocationFile.Entry(GATEWAY, GATEWAY, ssdpPort, location));

        // the next run (another port stands for a fresh process): seeded only for its gateway and SSDP port
        int next = 41903;
        UpnpLocationFile other = UpnpLocationFile.beside(dir.resolve("mappings.json"));
        other.remember(GATEWAY, next); // nothing known for it: nothing written
        assertThat(other.read()).hasSize(1);
        DiscoveryOptions options = DiscoveryOptions.builder().gateway(GATEWAY)
                .serverPort(MappingProtocol.UPNP, ssdpPort).build();
        other.seed(options);
        assertThat(UpnpLocations.remembered(GATEWAY, ssdpPort)).isEqualTo(location);
        assertThat(UpnpLocations.remembered(GATEWAY, next)).isNull();
    }

    @Test
    void aDamagedOrForeignFileIsIgnored() throws Exception {
        Path p = dir.resolve("upnp-locations.json");
        Files.writeString(p, "{\"locations\":[{\"gateway\":\"127.0.0.1\",\"local\":\"127.0.0.1\",\"ssdpPort\":1900,"
                + "\"location\":\"ftp://127.0.0.1/x\"}]}");
        assertThat(new UpnpLocationFile(p).read()).isEmpty();
        Files.writeString(p, "not json");
        assertThat(new UpnpLocationFile(p).read()).isEmpty();
        // an unwritable place (a file where the directory should be): remembering is silently skipped
        UpnpLocations.seed(GATEWAY, 41904, URI.create("http://127.0.0.1:41905/d.xml"));
        new UpnpLocationFile(p.resolve("sub/upnp-locations.json")).remember(GATEWAY, 41904);
    }
}
