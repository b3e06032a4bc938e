/**
 * NAT-PMP (RFC 6886): a pure codec and a UDP client implementing core's SPI.
 *
 * <p>Put this module on the class path and core finds it through {@link java.util.ServiceLoader}
 * ({@link dev.openport.natpmp.NatPmpProvider}); applications use {@code dev.openport.core.Gateways}:
 *
 * <pre>{@code
 * try (PortMapper mapper = Gateways.connect(DiscoveryOptions.builder()
 *         .protocols(MappingProtocol.NAT_PMP).build())) {
 *     PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
 *     mapper.addListener(e -> { if (e.kind() == GatewayEvent.Kind.STATE_LOST) { renewAll(); } });
 * }
 * }</pre>
 *
 * <p>Inside: {@code NatPmpCodec} (bytes to records and back, strict, fuzzed), {@code NatPmpClient} (one socket per
 * exchange, RFC 6886 §3.1 retransmission under a total deadline, answers only from the gateway's address and
 * port), {@code EpochTracker} (§3.6 reboot detection), {@code AnnouncementListener} (§3.2.1, only with
 * multicast allowed and a listener registered).
 */
package dev.openport.natpmp;
