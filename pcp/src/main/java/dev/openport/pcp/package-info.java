/** PCP (RFC 6887): a pure codec and a UDP client implementing core's SPI. */
package dev.openport.pcp;
