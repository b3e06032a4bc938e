package dev.openport.diagnostics;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Diagnostics#run} found: every gateway, the public address as the internet sees it, and the
 * conclusion.
 *
 * <pre>{@code
 * DiagnosticReport r = Diagnostics.run(options, List.of(PublicAddressQuery.parse("192.0.2.53")));
 * System.out.println(r.finding().id() + ": " + r.finding().summary());
 * }</pre>
 *
 * @param gateways          every gateway asked, best route first
 * @param publicAddress     the address the internet sees, or {@code null} when no resolver answered
 * @param publicAddressError why no resolver answered, or {@code null}
 * @param finding           the conclusion, about the first gateway that reported an external address
 */
public record DiagnosticReport(List<GatewayReport> gateways, PublicAddressResult publicAddress,
        String publicAddressError, NatFinding finding) {
    /**
     * Copies the gateway list; the finding is required.
     *
     * @param gateways           every gateway asked, best route first
     * @param publicAddress      the address the internet sees, or {@code null}
     * @param publicAddressError why no resolver answered, or {@code null}
     * @param finding            the conclusion
     */
    public DiagnosticReport {
        gateways = List.copyOf(gateways);
        Objects.requireNonNull(finding, "finding");
    }

    /**
     * The public address, when a resolver answered.
     *
     * @return the resolver's answer, or empty
     */
    public Optional<PublicAddressResult> publicAddressIfKnown() {
        return Optional.ofNullable(publicAddress);
    }

    /**
     * The gateway the finding is about: the first that reported an external address.
     *
     * @return that gateway's report, or empty when none reported an external address
     */
    public Optional<GatewayReport> primary() {
        return gateways.stream().filter(g -> g.externalAddressClass() != null).findFirst();
    }

    /**
     * Whether the gateway's external address and the public address agree.
     *
     * @return whether they agree; empty when either is unknown
     */
    public Optional<Boolean> agrees() {
        return primary().flatMap(g -> publicAddressIfKnown()
                .map(p -> p.address().equals(g.gateway().externalAddress())));
    }
}
