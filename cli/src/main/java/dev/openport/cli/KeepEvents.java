package dev.openport.cli;

import dev.openport.core.PortMapping;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code map --keep} tells scripts: one JSON object per line (NDJSON) for each event with {@code --json},
 * and the {@code --on-change} hook for the events that change where the outside connects.
 */
final class KeepEvents {
    static final String MAPPED = "mapped";
    static final String RENEWED = "renewed";
    static final String CHANGED = "changed";
    static final String LOST = "lost";
    static final String RESTORED = "restored";
    static final String REMOVED = "removed";
    /** {@code --echo}: the echo service reached the mapping (first proof, and again after a failed one). */
    static final String REACHABLE = "reachable";
    /** {@code --echo}: the echo service could not reach the mapping; core repairs it (Delete + Add). */
    static final String UNREACHABLE = "unreachable";

    private KeepEvents() {
    }

    /** One NDJSON line: {@code {"event":"changed","time":"...","mapping":{...},"previous":{...}}}. */
    static String json(String event, PortMapping current, PortMapping previous, String transport, String detail,
            Instant now) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("event", event);
        doc.put("time", now.toString());
        if (transport != null) {
            doc.put("transport", transport);
        }
        if (current != null) {
            doc.put("mapping", Render.json(current));
        }
        if (previous != null) {
            doc.put("previous", Render.json(previous));
        }
        if (detail != null && !detail.isEmpty()) {
            doc.put("detail", Main.oneLine(detail));
        }
        return Json.write(doc);
    }

    /**
     * Whether the outside now connects elsewhere (the hook's "changed"): another external address or port. A
     * protocol or lease change alone is not one, nor an address that is no address (0.0.0.0 while the WAN is
     * down): the hook waits until a usable one comes back.
     */
    static boolean movedForHook(PortMapping previous, PortMapping current) {
        if (current == null || !usable(current.externalAddress())) {
            return false;
        }
        return previous == null || previous.externalPort() != current.externalPort()
                || !Objects.equals(previous.externalAddress(), current.externalAddress());
    }

    /** An address the outside can be told: not missing, not 0.0.0.0/::, not loopback. */
    static boolean usable(InetAddress a) {
        return a != null && !a.isAnyLocalAddress() && !a.isLoopbackAddress();
    }
}
