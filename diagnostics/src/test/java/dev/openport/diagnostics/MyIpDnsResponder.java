package dev.openport.diagnostics;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A tiny "what is my IP" DNS server (dnsjava's message classes, real UDP bytes): answers any A, AAAA or TXT
 * question with the querier's source address, as OpenDNS and Google do for their special names. Used by the
 * unit tests on loopback and, through {@link #main}, by the lab on the WAN host
 * ({@code lab/suite-diagnostics.sh}).
 */
final class MyIpDnsResponder implements AutoCloseable {
    /** How the responder misbehaves, for tests of hostile or broken resolvers. */
    enum Mode { NORMAL, NXDOMAIN, GARBAGE, WRONG_ID_FIRST, SILENT }

    private final DatagramSocket socket;
    private final Thread thread;
    final AtomicInteger queries = new AtomicInteger();
    volatile Mode mode = Mode.NORMAL;
    /** When set, answered instead of the querier's address (an upstream NAT the querier cannot see). */
    volatile InetAddress override;

    MyIpDnsResponder(InetSocketAddress bind) throws SocketException {
        socket = new DatagramSocket(bind);
        thread = new Thread(this::serve, "openport-test-dns");
        thread.setDaemon(true);
        thread.start();
    }

    static MyIpDnsResponder onLoopback() throws SocketException {
        return new MyIpDnsResponder(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    int port() {
        return socket.getLocalPort();
    }

    /** {@code 127.0.0.1:port}, as {@code --resolver} takes it. */
    String hostPort() {
        return socket.getLocalAddress().getHostAddress() + ":" + port();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                queries.incrementAndGet();
                byte[] answer = answer(java.util.Arrays.copyOf(p.getData(), p.getLength()),
                        (InetSocketAddress) p.getSocketAddress());
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
                // a malformed query: drop it, like a real resolver would (or answer FORMERR); keep serving
            }
        }
    }

    private byte[] answer(byte[] query, InetSocketAddress from) throws IOException {
        InetAddress source = from.getAddress();
        Mode m = mode;
        if (m == Mode.SILENT) {
            return null;
        }
        if (m == Mode.GARBAGE) {
            Message q = new Message(query);
            int id = q.getHeader().getID();
            // a header claiming one answer, with the right id, then nothing: truncated mid-message
            return new byte[] {(byte) (id >> 8), (byte) id, (byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3};
        }
        Message q = new Message(query);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        Record question = q.getQuestion();
        r.addRecord(question, Section.QUESTION);
        InetAddress who = override != null ? override : source;
        if (m == Mode.NXDOMAIN) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == Type.A && who instanceof Inet4Address) {
            r.addRecord(new ARecord(question.getName(), DClass.IN, 0, who), Section.ANSWER);
        } else if (question.getType() == Type.AAAA && who instanceof Inet6Address) {
            r.addRecord(new AAAARecord(question.getName(), DClass.IN, 0, who), Section.ANSWER);
        } else if (question.getType() == Type.TXT) {
            r.addRecord(new TXTRecord(question.getName(), DClass.IN, 0, who.getHostAddress()), Section.ANSWER);
        }
        if (m == Mode.WRONG_ID_FIRST) {
            mode = Mode.NORMAL;
            Message wrong = new Message((q.getHeader().getID() + 1) & 0xffff);
            wrong.getHeader().setFlag(Flags.QR);
            wrong.addRecord(question, Section.QUESTION);
            wrong.addRecord(new ARecord(question.getName(), DClass.IN, 0, InetAddress.getByName("192.0.2.66")),
                    Section.ANSWER);
            byte[] w = wrong.toWire();
            socket.send(new DatagramPacket(w, w.length, from));
        }
        return r.toWire();
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

    /**
     * For the lab: {@code java -cp core/target/test-classes:dnsjava.jar:slf4j-api.jar
     * dev.openport.core.MyIpDnsResponder 203.0.113.2 5353} serves until killed.
     */
    public static void main(String[] args) throws Exception {
        InetAddress bind = InetAddress.getByName(args.length > 0 ? args[0] : "0.0.0.0");
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 53;
        MyIpDnsResponder r = new MyIpDnsResponder(new InetSocketAddress(bind, port));
        // the pid: the lab stops exactly this process (wrappers in between may fork)
        System.out.println("myip DNS responder on " + bind.getHostAddress() + ":" + r.port() + " pid "
                + ProcessHandle.current().pid());
        System.out.flush();
        r.thread.join();
    }
}
