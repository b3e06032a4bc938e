package dev.openport.cli;

/**
 * What a sub-command accepts and how its help reads: data only, so help, completion scripts and the man page
 * are rendered from one description, and nothing is built by reflection at start-up.
 *
 * @param name        the word typed after {@code openport}
 * @param header      one line for the command list
 * @param description paragraphs
 * @param params      the positional parameters' placeholder, e.g. {@code <port>[/tcp|/udp|/both]...}, or
 *                    {@code null} when the command takes none
 * @param paramsHelp  what the positional parameters are
 * @param paramsRequired whether at least one positional parameter must be given
 * @param options     the command's own options (the global ones come on top)
 * @param examples    {@code command  explanation} lines
 * @param notes       paragraphs after the examples
 * @param globals     whether the global options apply (they do to every command that talks to a gateway)
 */
record CommandInfo(String name, String header, String[] description, String params, String paramsHelp,
        boolean paramsRequired, Opt[] options, String[] examples, String[] notes, boolean globals) {

    /** The option this word names (long or short), among the command's own, or {@code null}. */
    Opt option(String word) {
        for (Opt o : options) {
            if (o.is(word)) {
                return o;
            }
        }
        return null;
    }
}
