/**
 * openport's API ({@code dev.openport.core}) and the SPI protocol modules implement ({@code dev.openport.core.spi}).
 * The protocol modules ({@code dev.openport.natpmp}, {@code dev.openport.pcp}, {@code dev.openport.upnp}) provide
 * {@link dev.openport.core.spi.PortMapperProvider}; with their jars on the module path, service binding resolves
 * them for an application that requires this module alone.
 */
module dev.openport.core {
    requires org.slf4j;

    exports dev.openport.core;
    exports dev.openport.core.spi;

    uses dev.openport.core.spi.PortMapperProvider;
}
