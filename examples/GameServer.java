import dev.openport.core.DiscoveryOptions;
import dev.openport.core.MapOptions;
import dev.openport.core.ManagedMapping;
import dev.openport.core.OpenPort;
import dev.openport.core.PortMappingException;
import dev.openport.core.Transport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.util.EnumSet;

/**
 * A tiny TCP "game server" that opens its port on the router with one line of openport and keeps it open:
 * renewed in the background, restored after a router reboot, deleted when the server stops.
 *
 * <pre>
 * java -cp cli/target/openport.jar examples/GameServer.java [port] [--check SECONDS] [--seconds N]
 *      [--gateway ADDR] [--udp-too]
 * </pre>
 *
 * Every client that connects gets one line: "hello from the openport example at HH:MM:SS", then an echo of
 * whatever it sends. The server stops after --seconds N (closing the mapping), at end of input, or on
 * Ctrl-C/SIGTERM (openport's shutdown hook deletes the mapping).
 */
public class GameServer {
    public static void main(String[] args) throws Exception {
        int port = 25565;
        Duration check = Duration.ofSeconds(10); // how often the router is checked (and a lost mapping re-made)
        long seconds = 0;
        InetAddress gateway = null;
        boolean udpToo = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--check" -> check = Duration.ofMillis((long) (Double.parseDouble(args[++i]) * 1000));
                case "--seconds" -> seconds = Long.parseLong(args[++i]);
                case "--gateway" -> gateway = InetAddress.getByName(args[++i]);
                case "--udp-too" -> udpToo = true;
                default -> port = Integer.parseInt(args[i]);
            }
        }

        try (ServerSocket server = new ServerSocket(port)) {
            Thread acceptor = new Thread(() -> serve(server), "game-accept");
            acceptor.setDaemon(true);
            acceptor.start();

            MapOptions options = MapOptions.builder()
                    .description("openport example game server")
                    .checkInterval(check)
                    .discovery(DiscoveryOptions.builder().gateway(gateway).build())
                    .listener(c -> System.out.println(LocalTime.now() + " " + c.kind() + " " + c.transport()
                            + ": " + (c.current() == null ? "-" : c.current().external() + " via "
                            + c.current().protocol().displayName()) + " (" + c.detail() + ")"))
                    .build();
            // the one line: map the port (TCP, or TCP and UDP) and keep it mapped until close()
            try (ManagedMapping m = udpToo
                    ? OpenPort.map(EnumSet.of(Transport.TCP, Transport.UDP), port, options)
                    : OpenPort.map(Transport.TCP, port, options)) {
                System.out.println(LocalTime.now() + " players connect to " + m.external() + " via "
                        + m.protocol().displayName() + " (" + m + ")");
                if (seconds > 0) {
                    Thread.sleep(seconds * 1000);
                } else {
                    while (System.in.read() >= 0) {
                        // run until end of input (or Ctrl-C / SIGTERM: the shutdown hook cleans up)
                    }
                }
            }
            System.out.println(LocalTime.now() + " mapping closed");
        } catch (PortMappingException e) {
            System.err.println("could not open the port: " + e.getMessage() + " [" + e.reason() + "]");
            System.exit(2);
        }
    }

    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> talk(s), "game-client");
                t.setDaemon(true);
                t.start();
            } catch (java.io.IOException e) {
                return;
            }
        }
    }

    private static void talk(Socket s) {
        try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                var out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            out.println("hello from the openport example at " + LocalTime.now().withNano(0));
            String line;
            while ((line = in.readLine()) != null) {
                out.println("echo: " + line);
            }
        } catch (java.io.IOException e) {
            // the player left
        }
    }
}
