package dev.openport.upnp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads test fixtures from the class path ({@code src/test/resources/fixtures}, see its README.md). */
final class Fixtures {
    private Fixtures() {
    }

    static byte[] bytes(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture with the source harness's placeholders ({@code %s:%d}, {@code {port}}) filled in. */
    static byte[] templated(String path, String host, int port) {
        String s = new String(bytes(path), StandardCharsets.UTF_8);
        s = s.replace("%s:%d", host + ":" + port).replace("{port}", Integer.toString(port));
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The body of a full HTTP response fixture (after the first empty line). */
    static byte[] httpBody(String path) {
        byte[] all = bytes(path);
        for (int i = 0; i + 3 < all.length; i++) {
            if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') {
                return Arrays.copyOfRange(all, i + 4, all.length);
            }
        }
        throw new IllegalArgumentException(path + " has no HTTP header end");
    }
}
