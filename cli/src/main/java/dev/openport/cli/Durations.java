package dev.openport.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 2h}, {@code 30m}, {@code 1h30m}, {@code 500ms}, {@code 3600} (seconds). */
final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|d|h|m|s)");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a message that shows the accepted forms
     */
    static Duration parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = PART.matcher(t);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < t.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMillis(n);
            });
            at = m.end();
        }
        if (t.isEmpty() || at != t.length()) {
            throw new IllegalArgumentException("invalid duration '" + text
                    + "': use e.g. 2h, 30m, 1h30m, 90s, 500ms or a number of seconds");
        }
        return total;
    }

    /** Short human form: {@code 2h}, {@code 1h30m}, {@code 59m12s}, {@code 45s}, {@code 500ms}. */
    static String format(Duration d) {
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        long ms = d.toMillis();
        if (ms < 1000 && ms != 0) {
            return ms + "ms";
        }
        long s = d.getSeconds();
        long days = s / 86400;
        long h = s % 86400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        StringBuilder sb = new StringBuilder();
        if (days > 0) {
            sb.append(days).append('d');
        }
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (sec > 0 || sb.length() == 0) {
            sb.append(sec).append('s');
        }
        return sb.toString();
    }
}
