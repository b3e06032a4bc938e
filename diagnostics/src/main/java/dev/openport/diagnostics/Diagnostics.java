package dev.openport.diagnostics;

import dev.openport.core.DiscoveryOptions;
import dev.openport.core.Gateway;
import dev.openport.core.Gateways;
import dev.openport.core.PortMappingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Is my port really reachable?": asks every gateway in every protocol (which answered, how fast, which
 * external address), classifies that address (private, CGNAT, ...), asks a DNS resolver which address the
 * internet sees, and concludes whether they agree or which NAT sits in between.
 * Changes nothing on the router.
 *
 * <pre>{@code
 * DiagnosticReport r = Diagnostics.run(DiscoveryOptions.defaults(), PublicAddressQuery.defaults());
 * switch (r.finding()) {
 *     case AGREE -> System.out.println("external address confirmed: " + r.publicAddress().address());
 *     case CGNAT, DOUBLE_NAT -> System.out.println(r.finding().summary() + ": " + r.finding().advice());
 *     default -> System.out.println(r.finding().summary());
 * }
 * }</pre>
 */
public final class Diagnostics {
    /**
     * Created when this class initialises, on the caller's thread: slf4j initialising while the DNS and probe
     * threads create their loggers at once makes it print a "replayed logging calls" notice.
     */
    private static final Logger LOG = LoggerFactory.getLogger(Diagnostics.class);

    private Diagnostics() {
    }

    /**
     * Runs the checks: the gateways (as {@link Gateways#discover(DiscoveryOptions)}) and the public-address
     * query at the same time, each bounded by the options' timeout. An empty {@code resolvers} list skips the
     * public-address check.
     *
     * @param options   which gateways to ask and how long to wait
     * @param resolvers the "what is my IP" resolvers to ask, in order (empty: skip that check)
     * @return every gateway's answer, the public address and the conclusion
     *
     * @throws PortMappingException {@code GATEWAY_NOT_FOUND} when there is no gateway to ask
     */
    public static DiagnosticReport run(DiscoveryOptions options, List<PublicAddressQuery> resolvers)
            throws PortMappingException {
        LOG.debug("diagnostics: gateways and {} resolver(s)", resolvers.size());
        CompletableFuture<Object> dns = new CompletableFuture<>();
        if (resolvers.isEmpty()) {
            dns.complete("not asked (no resolver)");
        } else {
            Thread t = new Thread(() -> {
                try {
                    dns.complete(PublicAddress.lookup(resolvers, options.timeout()));
                } catch (PortMappingException | RuntimeException e) {
                    dns.complete(e.getMessage());
                }
            }, "openport-myip");
            t.setDaemon(true);
            t.start();
        }
        List<Gateway> gateways = Gateways.discover(options);
        Object answer;
        try {
            // each resolver may take the whole timeout
            answer = dns.get(options.timeout().toMillis() * Math.max(1, resolvers.size()) + 1_000,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = "interrupted";
        } catch (ExecutionException | TimeoutException e) {
            answer = "no answer: " + e;
        }
        List<GatewayReport> reports = new ArrayList<>();
        for (Gateway g : gateways) {
            reports.add(GatewayReport.of(g));
        }
        PublicAddressResult pub = answer instanceof PublicAddressResult r ? r : null;
        String error = pub == null ? String.valueOf(answer) : null;
        return report(reports, pub, error);
    }

    /** The conclusion from what was found; pure, for tests. */
    static DiagnosticReport report(List<GatewayReport> gateways, PublicAddressResult pub, String error) {
        GatewayReport primary = gateways.stream().filter(g -> g.externalAddressClass() != null).findFirst()
                .orElse(null);
        return new DiagnosticReport(gateways, pub, error, finding(primary, pub));
    }

    static NatFinding finding(GatewayReport primary, PublicAddressResult pub) {
        if (primary == null) {
            return NatFinding.UNKNOWN;
        }
        return switch (primary.externalAddressClass()) {
            case CGNAT -> NatFinding.CGNAT;
            case PRIVATE -> NatFinding.DOUBLE_NAT;
            case UNSPECIFIED, LOOPBACK, LINK_LOCAL -> NatFinding.NO_WAN_ADDRESS;
            case PUBLIC -> pub == null ? NatFinding.UNVERIFIED
                    : pub.address().equals(primary.gateway().externalAddress()) ? NatFinding.AGREE
                    : NatFinding.DISAGREE;
        };
    }
}
