/**
 * openport: opens ports on home and office routers over UPnP IGD, NAT-PMP and PCP.
 *
 * <p>Most applications want one line: {@link dev.openport.core.OpenPort#map}, which finds the gateway, maps on
 * the best protocol it speaks, keeps the mapping alive in the background (one daemon thread for all mappings)
 * and deletes it on {@code close()} or at JVM exit:
 *
 * <pre>{@code
 * try (ManagedMapping m = OpenPort.map(EnumSet.of(Transport.TCP, Transport.UDP), 25565)) {
 *     System.out.println("players connect to " + m.external());
 *     server.run();
 * }
 * }</pre>
 *
 * <p>Tools that want each step themselves use a {@link dev.openport.core.PortMapper}:
 *
 * <pre>{@code
 * try (PortMapper mapper = Gateways.connect()) {
 *     PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
 *     System.out.println("reachable at " + m.external());
 *     mapper.unmap(m);
 * }
 * }</pre>
 */
package dev.openport.core;
