package dev.openport.upnp;

import dev.openport.core.MappingProtocol;
import dev.openport.core.PortMapper;
import dev.openport.core.PortMappingException;
import dev.openport.core.spi.PortMapperProvider;
import dev.openport.core.spi.ProbeContext;

/**
 * UPnP IGD v1/v2 for openport, found by {@link java.util.ServiceLoader}. Applications do not use this class
 * directly: put {@code openport-upnp} on the class path and call core.
 *
 * <pre>{@code
 * try (PortMapper mapper = Gateways.connect(DiscoveryOptions.builder()
 *         .protocols(MappingProtocol.UPNP).build())) {
 *     PortMapping m = mapper.map(MappingRequest.of(Transport.TCP, 25565));
 *     // ... mapper.unmap(m);
 * }
 * }</pre>
 *
 * A probe fetches a known description URL when one is given (or remembered from the last good probe of this
 * gateway, in this JVM), else searches with SSDP — unicast to the gateway always, multicast only when the
 * context allows — and returns on the first gateway that answers, without waiting out MX.
 */
public final class UpnpProvider implements PortMapperProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public UpnpProvider() {
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.UPNP;
    }

    @Override
    public PortMapper probe(ProbeContext context) throws PortMappingException {
        return new UpnpPortMapper(context, Discovery.find(context));
    }
}
