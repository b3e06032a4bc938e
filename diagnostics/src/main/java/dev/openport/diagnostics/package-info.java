/**
 * "Is my port really reachable?" — checks that need no router change and that mapping a port does not need:
 * which address the internet sees this host at (a DNS "what is my IP" query), what the gateway's external
 * address means ({@link dev.openport.core.AddressClass}: public, private, CGNAT), the conclusion about
 * the NAT path ({@link dev.openport.diagnostics.NatFinding}), and a reachability proof through an echo service
 * outside the NAT ({@link dev.openport.diagnostics.ReachabilityProbe}).
 *
 * <pre>{@code
 * DiagnosticReport r = Diagnostics.run(DiscoveryOptions.defaults(), PublicAddressQuery.defaults());
 * System.out.println(r.finding().summary());
 * }</pre>
 *
 * <p>This module (artifact {@code dev.openport:openport-diagnostics}) is the only one that needs dnsjava.
 */
package dev.openport.diagnostics;
