/**
 * PCP, the Port Control Protocol (RFC 6887): MAP over IPv4 and IPv6, the epoch check of §8.5 and ANNOUNCE
 * reception, registered with core through {@link dev.openport.pcp.PcpProvider}.
 *
 * <pre>{@code
 * DiscoveryOptions opts = DiscoveryOptions.builder().protocols(MappingProtocol.PCP).build();
 * try (PortMapper pcp = Gateways.connect(opts)) {
 *     PortMapping m = pcp.map(MappingRequest.of(Transport.TCP, 25565));
 *     // m.protocolState() holds the mapping's nonce: renew/unmap need it, also from another process
 *     pcp.unmap(m);
 * }
 * }</pre>
 *
 * <p>Inside: a pure codec ({@code PcpCodec}: bytes ↔ {@code PcpMessage}, every octet kept, fuzzed) and a
 * client ({@code PcpPortMapper}) that sends each request from a socket of its own, retransmits it (§8.1.1,
 * starting at 250 ms instead of 3 s), and accepts only answers from the server's address and port that echo the
 * opcode and, for MAP, the nonce, protocol and internal port. A gateway answering with NAT-PMP's version 0 is
 * reported as {@code UNSUPPORTED} ("speaks NAT-PMP only"), so discovery falls back to NAT-PMP.
 */
package dev.openport.pcp;
