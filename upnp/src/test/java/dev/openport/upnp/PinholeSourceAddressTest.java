package dev.openport.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Pinhole requests go out from the address the pinhole is for: a router compares InternalClient with the
 * sender. On Linux every 127/8 address is local, so 127.0.0.2 stands in for "the stable address that is not
 * the kernel's first choice".
 */
@EnabledOnOs(OS.LINUX)
class PinholeSourceAddressTest {
    private ServerSocket server;
    private final BlockingQueue<InetAddress> senders = new ArrayBlockingQueue<>(8);

    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    senders.add(s.getInetAddress());
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    in.read(buf); // the request head; the answer does not depend on it
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                    return;
                }
            }
        }, "openport-test-http");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private InetAddress postFrom(InetAddress source) throws Exception {
        URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/ctl/IP6FCtl");
        MiniHttp.post(url, Map.of(), new byte[0], System.nanoTime() + 2_000_000_000L, 1024, source);
        return senders.poll(2, TimeUnit.SECONDS);
    }

    @Test
    void aPinholeRequestGoesOutFromTheGivenAddress() throws Exception {
        assertThat(postFrom(InetAddress.getByName("127.0.0.2"))).isEqualTo(InetAddress.getByName("127.0.0.2"));
    }

    @Test
    void withoutASourceTheKernelChooses() throws Exception {
        assertThat(postFrom(null)).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void anAddressThisHostDoesNotHaveLeavesTheKernelsChoice() throws Exception {
        // 192.0.2.55 (TEST-NET-1) is on no interface: bind fails, the request still goes out
        assertThat(postFrom(InetAddress.getByName("192.0.2.55"))).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void anAddressOfTheOtherFamilyIsNotUsed() throws Exception {
        assertThat(postFrom(InetAddress.getByName("::1"))).isEqualTo(InetAddress.getByName("127.0.0.1"));
    }
}
