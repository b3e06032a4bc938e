/**
 * Is my port really reachable? The DNS public-address check, the reachability probe and the NAT findings
 * ({@code dev.openport.diagnostics}). Its API uses core's types, so requiring this module reads core too.
 */
module dev.openport.diagnostics {
    requires transitive dev.openport.core;
    requires org.dnsjava;
    requires org.slf4j;

    exports dev.openport.diagnostics;
}
