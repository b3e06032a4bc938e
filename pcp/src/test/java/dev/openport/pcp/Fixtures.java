package dev.openport.pcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads {@code fixtures/pcp/*.hex}: each message line, keyed by the {@code #} comment line above it. */
final class Fixtures {
    private Fixtures() {
    }

    static Map<String, byte[]> messages(String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/pcp/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + file);
            }
            Map<String, byte[]> out = new LinkedHashMap<>();
            String last = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.startsWith("#")) {
                    last = line.substring(1).strip();
                } else if (!line.isEmpty()) {
                    out.put(last, HexFormat.of().parseHex(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The only message in a one-message file. */
    static byte[] only(String file) {
        Map<String, byte[]> all = messages(file);
        if (all.size() != 1) {
            throw new IllegalStateException(file + " holds " + all.size() + " messages");
        }
        return all.values().iterator().next();
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }
}
