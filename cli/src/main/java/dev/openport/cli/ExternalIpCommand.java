package dev.openport.cli;

import dev.openport.core.AddressClass;
import dev.openport.core.PortMapper;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code openport external-ip}. */
final class ExternalIpCommand extends BaseCommand {

    @Override
    String name() {
        return "external-ip";
    }

    @Override
    int call() throws Exception {
        try (PortMapper mapper = connect(opts().discovery().build())) {
            InetAddress ext = mapper.externalAddress();
            AddressClass c = AddressClass.of(ext);
            if (ui().json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("command", name());
                doc.put("ok", true);
                doc.put("externalAddress", ext.getHostAddress());
                doc.put("addressClass", c.id());
                doc.put("reachable", c.isPublic());
                doc.put("gateway", mapper.gateway().getHostAddress());
                doc.put("protocol", Names.id(mapper.protocol()));
                ui().json(doc);
            } else {
                ui().line(ext.getHostAddress());
            }
            String w = Render.doubleNatWarning(ext, 0);
            if (w != null) {
                ui().warn(w);
            }
            return ExitCodes.OK;
        }
    }
}
