/**
 * openport with every protocol: {@code requires dev.openport;} reads the API ({@code dev.openport.core}); the
 * protocol modules (NAT-PMP, PCP, UPnP IGD) are found by service binding when their jars are on the module
 * path. Requiring {@code dev.openport.core} alone works the same way.
 */
module dev.openport {
    requires transitive dev.openport.core;
}
