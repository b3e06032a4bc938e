/**
 * The service-provider interface through which protocol modules (UPnP, NAT-PMP, PCP) plug into core.
 * Applications do not need it.
 */
package dev.openport.core.spi;
