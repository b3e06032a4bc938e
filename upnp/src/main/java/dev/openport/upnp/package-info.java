/** UPnP IGD v1/v2: SSDP discovery, hardened description parsing and SOAP actions, on the JDK alone. */
package dev.openport.upnp;
