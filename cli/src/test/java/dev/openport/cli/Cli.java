package dev.openport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process and captures what it printed. */
final class Cli {
    private Cli() {
    }

    record Result(int code, String out, String err) {
        /** stdout parsed as the one JSON document it must be. */
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            assertThat(out.strip().lines().count()).as("one JSON document on stdout: %s", out).isEqualTo(1);
            Object doc = Json.parse(out.strip());
            assertThat(doc).isInstanceOf(Map.class);
            return (Map<String, Object>) doc;
        }

        /** stderr must be one line, and never a stack trace. */
        String oneErrorLine() {
            List<String> lines = err.strip().lines().toList();
            assertThat(lines).as("stderr: %s", err).hasSize(1);
            assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
            return lines.get(0);
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Map<String, Object>>) o;
    }
}
