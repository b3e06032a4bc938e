package dev.openport.diagnostics;

import dev.openport.core.AddressClass;
import dev.openport.core.Gateway;
import java.util.Objects;
import java.util.Optional;

/**
 * One gateway as {@link Diagnostics} saw it: the protocols that answered and their round-trip times, its
 * external address and that address's class.
 *
 * <pre>{@code
 * for (GatewayReport g : report.gateways()) {
 *     System.out.println(g.gateway().address() + " " + g.gateway().protocols() + " "
 *             + g.externalAddressClass().map(AddressClass::id).orElse("?"));
 * }
 * }</pre>
 *
 * @param gateway              what the gateway answered (protocols with round-trip times, external address)
 * @param externalAddressClass the class of its external address; {@code null} when it reported none
 */
public record GatewayReport(Gateway gateway, AddressClass externalAddressClass) {
    /**
     * The gateway is required; the class may be {@code null}.
     *
     * @param gateway              what the gateway answered
     * @param externalAddressClass the class of its external address, or {@code null}
     */
    public GatewayReport {
        Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * Classifies the gateway's external address.
     *
     * @param gateway what the gateway answered
     * @return the report, with the external address's class when there is one
     */
    public static GatewayReport of(Gateway gateway) {
        return new GatewayReport(gateway, gateway.externalAddress() == null ? null
                : AddressClass.of(gateway.externalAddress()));
    }

    /**
     * The class of the external address, when one was reported.
     *
     * @return the class, or empty
     */
    public Optional<AddressClass> externalAddressClassIfKnown() {
        return Optional.ofNullable(externalAddressClass);
    }

    /**
     * Whether any protocol answered.
     *
     * @return {@code true} when at least one protocol answered
     */
    public boolean answered() {
        return !gateway.protocols().isEmpty();
    }
}
