package dev.openport.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The hidden test options that point the CLI at a loopback fake gateway (one protocol, explicit gateway and
 * port, no multicast, a temporary state file), appended to a command's own arguments; {@code --timeout 2s}
 * unless the arguments give one.
 */
final class FakeArgs {
    private FakeArgs() {
    }

    /** {@code args} against the NAT-PMP fake listening on 127.0.0.1:{@code port}. */
    static String[] natPmp(int port, Path stateFile, String... args) {
        return with("natpmp", "--natpmp-port", port, stateFile, args);
    }

    /** {@code args} against the PCP fake listening on 127.0.0.1:{@code port}. */
    static String[] pcp(int port, Path stateFile, String... args) {
        return with("pcp", "--pcp-port", port, stateFile, args);
    }

    private static String[] with(String protocol, String portOption, int port, Path stateFile, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--gateway", "127.0.0.1", portOption, String.valueOf(port), "--protocol", protocol,
                "--no-multicast", "--state-file", stateFile.toString()));
        if (!all.contains("--timeout")) {
            all.addAll(List.of("--timeout", "2s"));
        }
        return all.toArray(String[]::new);
    }
}
