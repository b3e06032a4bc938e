package dev.openport.cli;

import dev.openport.core.AddressClass;
import dev.openport.core.PortMapper;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code openport external-ip}. */
@Command(name = "external-ip", mixinStandardHelpOptions = true,
        header = "Print the router's external (WAN) address.",
        description = "Prints the router's external address. Warns when it is private or CGNAT: then "
                + "another NAT sits in front of the router, and mappings on it alone are not reachable.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  openport external-ip",
            "  ip=$(openport external-ip) && echo \"players connect to $ip:25565\"",
            "  openport external-ip --json | jq -r .externalAddress"})
final class ExternalIpCommand extends BaseCommand {

    @Override
    String name() {
        return "external-ip";
    }

    @Override
    public Integer call() throws Exception {
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
