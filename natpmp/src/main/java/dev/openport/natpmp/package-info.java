/** NAT-PMP (RFC 6886): a pure codec and a UDP client implementing core's SPI. */
package dev.openport.natpmp;
