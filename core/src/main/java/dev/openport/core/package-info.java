/**
 * openport: opens ports on home and office routers over UPnP IGD, NAT-PMP and PCP.
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
