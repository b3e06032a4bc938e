/**
 * PCP (RFC 6887) for openport. Exports nothing: applications use {@code dev.openport.core}, which finds this module
 * through the {@link dev.openport.core.spi.PortMapperProvider} it provides.
 */
module dev.openport.pcp {
    requires dev.openport.core;
    requires org.slf4j;

    provides dev.openport.core.spi.PortMapperProvider with dev.openport.pcp.PcpProvider;
}
