package dev.openport.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A bad link in a box: a UDP relay on 127.0.0.1 that sits between a client and a (fake) gateway and drops,
 * delays, duplicates and so reorders datagrams in both directions. The client talks to {@link #address()} as if
 * it were the gateway; answers come back from that same address and port, so source checks still apply.
 *
 * <p>Every datagram's fate (dropped or not, its delay, whether it is duplicated) is a pure function of the seed,
 * the direction, the datagram's bytes (after {@code key}, which masks per-run random fields such as a PCP nonce)
 * and how many identical datagrams went the same way before. So thread timing and concurrency do not change
 * which copy is lost: a seeded run is repeatable. Delays are drawn per datagram, so a later datagram with a
 * shorter delay overtakes an earlier one (reordering), and a duplicate gets a delay of its own.
 *
 * <p>Test code, shared with the protocol modules through core's test-jar ({@code openport-core}, type
 * {@code test-jar}, scope test).
 */
public final class LossyUdpRelay implements AutoCloseable {
    public static final int TO_GATEWAY = 0;
    public static final int TO_CLIENT = 1;

    /** How bad the link is: per-datagram loss and duplication probability, and a uniform 0..maxDelay delay. */
    public record Impairment(double loss, Duration maxDelay, double duplicate) {
    }

    private final InetSocketAddress gateway;
    private final Impairment impairment;
    private final long seed;
    private final UnaryOperator<byte[]> key;
    private final DatagramChannel front;
    private final Selector selector;
    private final Map<SocketAddress, DatagramChannel> backByClient = new ConcurrentHashMap<>();
    private final Map<String, Integer> occurrences = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delivery;
    private final Thread thread;
    private final AtomicInteger[] received = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger[] dropped = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger[] duplicated = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger[] delivered = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicInteger reordered = new AtomicInteger();
    private final AtomicInteger[] dropFirst = {new AtomicInteger(), new AtomicInteger()};
    private final AtomicLong[] sequence = {new AtomicLong(), new AtomicLong()};
    private final AtomicLong[] highestDelivered = {new AtomicLong(-1), new AtomicLong(-1)};

    public LossyUdpRelay(InetSocketAddress gateway, Impairment impairment, long seed, UnaryOperator<byte[]> key)
            throws IOException {
        this.gateway = gateway;
        this.impairment = impairment;
        this.seed = seed;
        this.key = key;
        this.front = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.front.configureBlocking(false);
        this.selector = Selector.open();
        front.register(selector, SelectionKey.OP_READ, null);
        ScheduledThreadPoolExecutor d = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "openport-test-relay-delivery");
            t.setDaemon(true);
            return t;
        });
        d.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.delivery = d;
        this.thread = new Thread(this::run, "openport-test-lossy-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Also drops the next {@code n} datagrams going {@code direction}, whatever their fate (a burst of loss). */
    public LossyUdpRelay dropFirst(int direction, int n) {
        dropFirst[direction].set(n);
        return this;
    }

    /** Where the client should send: the relay's front socket on 127.0.0.1. */
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) front.getLocalAddress();
    }

    public int port() throws IOException {
        return address().getPort();
    }

    public int received(int direction) {
        return received[direction].get();
    }

    public int dropped(int direction) {
        return dropped[direction].get();
    }

    public int duplicated(int direction) {
        return duplicated[direction].get();
    }

    public int delivered(int direction) {
        return delivered[direction].get();
    }

    /** Datagrams delivered after one that arrived later in the same direction. */
    public int reordered() {
        return reordered.get();
    }

    @Override
    public String toString() {
        return "relay: to gateway " + received(TO_GATEWAY) + " in, " + dropped(TO_GATEWAY) + " dropped, "
                + duplicated(TO_GATEWAY) + " duplicated; to client " + received(TO_CLIENT) + " in, "
                + dropped(TO_CLIENT) + " dropped, " + duplicated(TO_CLIENT) + " duplicated; " + reordered()
                + " reordered";
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        try {
            while (front.isOpen()) {
                selector.select();
                for (SelectionKey k : selector.selectedKeys()) {
                    DatagramChannel ch = (DatagramChannel) k.channel();
                    while (true) {
                        buffer.clear();
                        SocketAddress from = ch.receive(buffer);
                        if (from == null) {
                            break;
                        }
                        byte[] data = Arrays.copyOf(buffer.array(), buffer.position());
                        if (ch == front) {
                            DatagramChannel back = backFor(from);
                            impair(TO_GATEWAY, data, back, gateway);
                        } else if (gateway.equals(from)) {
                            impair(TO_CLIENT, data, front, (SocketAddress) k.attachment());
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed
        }
    }

    /** One socket towards the gateway per client, so answers find their way back to the right client. */
    private DatagramChannel backFor(SocketAddress client) throws IOException {
        DatagramChannel back = backByClient.get(client);
        if (back == null) {
            back = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            back.configureBlocking(false);
            back.register(selector, SelectionKey.OP_READ, client);
            backByClient.put(client, back);
        }
        return back;
    }

    private void impair(int direction, byte[] data, DatagramChannel out, SocketAddress to) {
        received[direction].incrementAndGet();
        if (dropFirst[direction].getAndUpdate(k -> Math.max(0, k - 1)) > 0) {
            dropped[direction].incrementAndGet();
            return;
        }
        String id = direction + ":" + Arrays.hashCode(key.apply(data)) + ":" + data.length;
        int n = occurrences.merge(id, 1, Integer::sum);
        // SplittableRandom mixes its seed well; java.util.Random's first draws for nearby seeds are correlated
        SplittableRandom fate = new SplittableRandom(
                (seed * 0x9E3779B97F4A7C15L + id.hashCode()) * 0xBF58476D1CE4E5B9L + n);
        if (fate.nextDouble() < impairment.loss()) {
            dropped[direction].incrementAndGet();
            return;
        }
        long maxMs = impairment.maxDelay().toMillis();
        schedule(direction, data, out, to, fate.nextLong(maxMs + 1));
        if (fate.nextDouble() < impairment.duplicate()) {
            duplicated[direction].incrementAndGet();
            schedule(direction, data, out, to, fate.nextLong(maxMs + 1));
        }
    }

    private void schedule(int direction, byte[] data, DatagramChannel out, SocketAddress to, long delayMs) {
        long seq = sequence[direction].getAndIncrement();
        delivery.schedule(() -> {
            if (seq < highestDelivered[direction].getAndAccumulate(seq, Math::max)) {
                reordered.incrementAndGet();
            }
            try {
                out.send(ByteBuffer.wrap(data), to);
                delivered[direction].incrementAndGet();
            } catch (IOException e) {
                // closed while the datagram was in flight: lost, as on a real link
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        delivery.shutdownNow();
        try {
            front.close();
            for (DatagramChannel back : backByClient.values()) {
                back.close();
            }
            selector.close();
        } catch (IOException e) {
            // nothing left to release
        }
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
