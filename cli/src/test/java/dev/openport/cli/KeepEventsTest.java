package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NDJSON lines of map --keep --json, and when the hook hears of a change. */
class KeepEventsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T23:00:00Z");

    @Test
    void everyEventIsOneLineOfValidJson() {
        PortMapping a = StateFileTest.pcpMapping(51413, Transport.UDP, "abcd");
        PortMapping b = StateFileTest.pcpMapping(40000, Transport.UDP, "abcd");
        String[] lines = {
            KeepEvents.json(KeepEvents.MAPPED, a, null, null, null, NOW),
            KeepEvents.json(KeepEvents.RENEWED, a, null, null, null, NOW),
            KeepEvents.json(KeepEvents.CHANGED, b, a, "udp", "new port\nfrom the gateway", NOW),
            KeepEvents.json(KeepEvents.LOST, null, b, "udp", "router rebooted", NOW),
            KeepEvents.json(KeepEvents.RESTORED, b, null, "udp", null, NOW),
            KeepEvents.json(KeepEvents.REMOVED, b, null, null, null, NOW),
        };
        String[] kinds = {"mapped", "renewed", "changed", "lost", "restored", "removed"};
        for (int i = 0; i < lines.length; i++) {
            assertThat(lines[i]).doesNotContain("\n");
            Map<String, Object> doc = Cli.obj(Json.parse(lines[i]));
            assertThat(doc).containsEntry("event", kinds[i]).containsEntry("time", "2026-11-25T23:00:00Z");
        }
        Map<String, Object> changed = Cli.obj(Json.parse(lines[2]));
        assertThat(Cli.obj(changed.get("mapping"))).containsEntry("externalPort", 40001L);
        assertThat(Cli.obj(changed.get("previous"))).containsEntry("externalPort", 51414L);
        assertThat(changed).containsEntry("detail", "new port from the gateway");
        assertThat(Cli.obj(Json.parse(lines[3]))).doesNotContainKey("mapping").containsEntry("transport", "udp");
    }

    @Test
    void theHookHearsOfANewAddressOrPortButNotOfAnAddressThatIsNone() throws Exception {
        PortMapping a = StateFileTest.pcpMapping(51413, Transport.UDP, "abcd");
        PortMapping otherPort = StateFileTest.pcpMapping(40000, Transport.UDP, "abcd");
        PortMapping wanDown = withExternal(a, "0.0.0.0");
        PortMapping renumbered = withExternal(a, "198.51.100.9");
        assertThat(KeepEvents.movedForHook(a, otherPort)).isTrue();
        assertThat(KeepEvents.movedForHook(a, renumbered)).isTrue();
        assertThat(KeepEvents.movedForHook(a, a)).isFalse();
        assertThat(KeepEvents.movedForHook(a, wanDown)).isFalse();
        assertThat(KeepEvents.movedForHook(null, a)).isTrue();
        assertThat(KeepEvents.usable(IpLiteral.parse("127.0.0.1"))).isFalse();
    }

    private static PortMapping withExternal(PortMapping m, String ip) {
        return new PortMapping(m.request(), m.internalAddress(), IpLiteral.parse(ip), m.externalPort(), m.lifetime(),
                m.expiresAt(), m.protocol(), m.gateway(), m.protocolState());
    }
}
