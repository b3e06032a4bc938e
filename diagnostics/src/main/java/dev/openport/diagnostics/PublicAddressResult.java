package dev.openport.diagnostics;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The answer to a {@link PublicAddressQuery}: the address the internet sees this host at.
 *
 * <pre>{@code
 * PublicAddressResult r = PublicAddress.lookup(PublicAddressQuery.parse("192.0.2.53"), Duration.ofSeconds(2));
 * System.out.println(r.address().getHostAddress() + " (asked " + r.query().resolverText() + " in "
 *         + r.roundTrip().toMillis() + " ms)");
 * }</pre>
 *
 * @param address   the querier's address as the resolver saw it
 * @param query     the question that was answered
 * @param roundTrip from the first send to the answer
 */
public record PublicAddressResult(InetAddress address, PublicAddressQuery query, Duration roundTrip) {
    /**
     * Every part is required.
     *
     * @param address   the querier's address as the resolver saw it
     * @param query     the question that was answered
     * @param roundTrip from the first send to the answer
     */
    public PublicAddressResult {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(roundTrip, "roundTrip");
    }
}
