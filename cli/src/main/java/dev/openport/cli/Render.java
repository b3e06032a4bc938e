package dev.openport.cli;

import dev.openport.core.AddressClass;
import dev.openport.core.PortMapping;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How mappings look in text and in JSON (field names documented in README-cli.md). */
final class Render {
    private Render() {
    }

    static String host(InetAddress a) {
        if (a == null) {
            return "?";
        }
        return a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
    }

    static String ip(InetAddress a) {
        return a == null ? null : a.getHostAddress();
    }

    /** {@code 2h}, or {@code permanent}. */
    static String lease(PortMapping m) {
        return m.isPermanent() ? "permanent" : Durations.format(m.lifetime());
    }

    /** {@code 203.0.113.1:25565/tcp -> 198.18.0.2:25565}. */
    static String arrow(PortMapping m) {
        return host(m.externalAddress()) + ":" + m.externalPort() + "/" + m.transport().lowerName() + " -> "
                + host(m.internalAddress()) + ":" + m.internalPort();
    }

    /** {@code mapped 203.0.113.1:25565/tcp -> 198.18.0.2:25565 via NAT-PMP (gateway 198.18.0.1), lease 2h}. */
    static String mapped(Ui ui, PortMapping m) {
        StringBuilder sb = new StringBuilder(ui.green("mapped")).append(' ').append(arrow(m)).append(" via ")
                .append(m.protocol().displayName()).append(" (gateway ").append(m.gateway().getHostAddress())
                .append("), lease ").append(lease(m));
        int asked = m.request().externalPort();
        if (asked != 0 && asked != m.externalPort()) {
            sb.append(" (asked for external port ").append(asked).append(", the gateway chose ")
                    .append(m.externalPort()).append(')');
        }
        return sb.toString();
    }

    static Map<String, Object> json(PortMapping m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("transport", m.transport().lowerName());
        j.put("internalAddress", ip(m.internalAddress()));
        j.put("internalPort", m.internalPort());
        j.put("externalAddress", ip(m.externalAddress()));
        j.put("externalPort", m.externalPort());
        j.put("requestedExternalPort", m.request().externalPort());
        j.put("protocol", Names.id(m.protocol()));
        j.put("gateway", ip(m.gateway()));
        j.put("lifetimeSeconds", m.lifetime().getSeconds());
        j.put("permanent", m.isPermanent());
        j.put("expiresAt", m.isPermanent() || m.expiresAt().equals(Instant.MAX) ? null : m.expiresAt().toString());
        j.put("description", m.request().description());
        if (m.externalAddress() != null) {
            AddressClass c = AddressClass.of(m.externalAddress());
            j.put("addressClass", c.id());
            j.put("reachable", c.isPublic());
        } else {
            j.put("addressClass", null);
            j.put("reachable", null);
        }
        return j;
    }

    /** The remaining lease of a mapping, for tables. */
    static String remaining(PortMapping m, Instant now) {
        if (m.isPermanent() || m.expiresAt().equals(Instant.MAX)) {
            return "permanent";
        }
        Duration left = Duration.between(now, m.expiresAt());
        return left.isNegative() ? "expired" : Durations.format(left.withNanos(0));
    }

    /** The double-NAT warning, or {@code null} when the address is public. */
    static String doubleNatWarning(InetAddress external, int port) {
        AddressClass c = AddressClass.of(external);
        if (c.isPublic()) {
            return null;
        }
        String where = external.getHostAddress() + (port > 0 ? ":" + port : "");
        return "double NAT: the router's external address " + external.getHostAddress() + " is "
                + c.description() + ", so " + where + " is not reachable from the internet"
                + " (another router or your ISP's NAT sits in front of it)";
    }
}
