/** The openport command line: a thin picocli front end over core. */
package dev.openport.cli;
