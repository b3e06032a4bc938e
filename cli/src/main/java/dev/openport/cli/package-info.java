/** The openport command line: a thin front end over core, its command line parsed by hand (start-up time). */
package dev.openport.cli;
