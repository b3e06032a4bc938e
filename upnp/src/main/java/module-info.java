/**
 * UPnP IGD v1/v2 for openport. Exports nothing: applications use {@code dev.openport.core}, which finds this module
 * through the {@link dev.openport.core.spi.PortMapperProvider} it provides.
 */
module dev.openport.upnp {
    requires dev.openport.core;
    requires org.slf4j;
    requires java.xml;

    provides dev.openport.core.spi.PortMapperProvider with dev.openport.upnp.UpnpProvider;
}
