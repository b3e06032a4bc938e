package dev.openport.natpmp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Hex helpers and the loader for the {@code .hex} fixture format (a {@code #} line names the next message). */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** One named message of a fixture file. */
    record Vector(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Loads {@code fixtures/natpmp/<file>}: each message with the last {@code #} line above it as its name. */
    static List<Vector> fixture(String file) {
        String path = "/fixtures/natpmp/" + file;
        try (InputStream in = Hex.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            List<Vector> out = new ArrayList<>();
            String name = "?";
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String l = line.trim();
                if (l.startsWith("#")) {
                    name = l.substring(1).trim();
                } else if (!l.isEmpty()) {
                    out.add(new Vector(name, bytes(l)));
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The message named exactly {@code name} in {@code file}. */
    static byte[] fixture(String file, String name) {
        return fixture(file).stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no '" + name + "' in " + file)).bytes();
    }
}
