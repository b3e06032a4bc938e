package dev.openport.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A "what is my IP" DNS server on loopback for the check command's tests (dnsjava messages, real UDP): answers
 * A questions with the querier's address, or with {@link #override} (an upstream NAT the querier cannot see).
 */
final class CheckDnsResponder implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    volatile InetAddress override;
    volatile boolean silent;

    CheckDnsResponder() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "fake-dns");
        thread.setDaemon(true);
        thread.start();
    }

    String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                if (silent) {
                    continue;
                }
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                Record question = q.getQuestion();
                r.addRecord(question, Section.QUESTION);
                if (question.getType() == Type.A) {
                    InetAddress who = override != null ? override : p.getAddress();
                    r.addRecord(new ARecord(question.getName(), DClass.IN, 0, who), Section.ANSWER);
                }
                byte[] out = r.toWire();
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // closed, or a query we cannot parse: next
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
