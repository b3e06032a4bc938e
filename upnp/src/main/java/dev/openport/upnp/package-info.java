/**
 * UPnP IGD v1/v2 on the JDK alone: SSDP discovery, hardened description parsing and SOAP actions.
 *
 * <p>Applications never use these classes directly: with {@code openport-upnp} on the class path, core finds
 * {@link dev.openport.upnp.UpnpProvider} through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * DiscoveryOptions opts = DiscoveryOptions.builder().protocols(MappingProtocol.UPNP).build();
 * try (PortMapper mapper = Gateways.connect(opts)) {
 *     PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
 *     mapper.list().forEach(System.out::println);
 *     mapper.unmap(m);
 * }
 * }</pre>
 *
 * <p>Layers: pure codecs ({@code Ssdp}, {@code DeviceDescription}, {@code Scpd}, {@code Soap}, on {@code SafeXml},
 * which refuses any DOCTYPE), the I/O clients ({@code SsdpSearch}, {@code MiniHttp}, {@code IgdClient}), discovery
 * and ranking ({@code Discovery}, {@code LanAddresses}), and the mapper ({@code UpnpPortMapper}): recovery from
 * refusals as a table ({@code Recovery}, carried out by {@code AddWithRecovery}), the lease to send
 * ({@code LeasePolicy}), renewal, verification, repair and deletion of our entries ({@code Upkeep}) and IPv6
 * pinholes ({@code Pinholes}). No thread is started; every call is bounded by the probe context's timeout.
 */
package dev.openport.upnp;
