package dev.openport.cli;

import dev.openport.core.PortMapping;
import dev.openport.core.Transport;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@code map} warns about once the mappings are made: ports that differ, double NAT, permanent leases. */
final class MapWarnings {
    private MapWarnings() {
    }

    /** @param keep whether {@code --keep} removes them on exit (a permanent lease is then no surprise) */
    static List<String> of(List<PortMapping> made, boolean keep) {
        List<String> warnings = new ArrayList<>();
        Map<Transport, Integer> anyPort = new EnumMap<>(Transport.class); // any/both: the port each transport got
        made.stream().filter(m -> m.request().followsExternalPort())
                .forEach(m -> anyPort.putIfAbsent(m.transport(), m.externalPort()));
        if (anyPort.size() == 2 && !anyPort.get(Transport.TCP).equals(anyPort.get(Transport.UDP))) {
            warnings.add("the gateway granted " + anyPort.get(Transport.TCP) + " for TCP but "
                    + anyPort.get(Transport.UDP) + " for UDP: the service must listen on both ports");
        }
        Set<String> warned = new HashSet<>();
        for (PortMapping m : made) {
            if (m.externalAddress() != null && warned.add(m.externalAddress().getHostAddress())) {
                String w = Render.doubleNatWarning(m.externalAddress(), m.externalPort());
                if (w != null) {
                    warnings.add(w);
                }
            }
            if (m.isPermanent() && !keep) {
                warnings.add("the router granted a permanent lease for " + m.externalPort() + "/"
                        + m.transport().lowerName() + ": it stays until 'openport unmap "
                        + m.internalPort() + "/" + m.transport().lowerName() + "'");
            }
        }
        return warnings;
    }
}
