package io.connpool.reliability;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.ServerAddress;
import io.connpool.testing.LineClient;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Callers hammering a pool from platform threads: acquire, one request, close. Records what each caller got
 * (successes per server, every failure with where and when it happened), and catches a connection handed to
 * two callers at once or a reply meant for another request.
 */
final class Traffic implements AutoCloseable {

    /** One request over a borrowed connection; returns whether the reply was the right one. */
    @FunctionalInterface
    interface Call {
        boolean run(PooledConnection connection, String token) throws IOException;
    }

    /** The default call: a line to a {@link io.connpool.testing.NamedEcho} server, which answers {@code name:line}. */
    static final Call LINE = (connection, token) -> LineClient.call(connection, token).endsWith(":" + token);

    /**
     * What a caller got instead of a reply.
     *
     * @param server null when acquire itself failed
     * @param startedNanos when the caller called acquire
     * @param acquiredNanos when the connection was acquired (0 when acquire failed)
     * @param failedNanos when the failure reached the caller
     * @param localPort the local port of the connection, -1 if none
     */
    record Failure(ServerAddress server, long startedNanos, long acquiredNanos, long failedNanos, Throwable error,
            int localPort) {
        boolean duringAcquire() {
            return server == null;
        }
    }

    private final ConnPool pool;
    private final int threadCount;
    private final Duration acquireTimeout;
    private final Call call;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    final Map<ServerAddress, LongAdder> successes = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    /** Anything but an IOException reaching a caller: always a bug. */
    final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    final LongAdder wrongReplies = new LongAdder();
    final LongAdder handedOutTwice = new LongAdder();
    final AtomicLong maxAcquireNanos = new AtomicLong();
    /** The longest acquire that started at or after {@link #measureAcquiresFrom}'s time. */
    final AtomicLong maxAcquireNanosInWindow = new AtomicLong();
    private volatile long windowStartNanos = Long.MAX_VALUE;
    private volatile boolean windowOpen;
    private final Set<Socket> borrowed = ConcurrentHashMap.newKeySet();
    private final Map<ServerAddress, AtomicLong> firstSuccessSinceMark = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    Traffic(ConnPool pool, int threadCount, Duration acquireTimeout, Call call) {
        this.pool = pool;
        this.threadCount = threadCount;
        this.acquireTimeout = acquireTimeout;
        this.call = call;
    }

    Traffic(ConnPool pool, int threadCount) {
        this(pool, threadCount, Duration.ofSeconds(5), LINE);
    }

    Traffic start() {
        running = true;
        for (int i = 0; i < threadCount; i++) {
            int id = i;
            Thread thread = new Thread(() -> loop(id), "traffic-" + id);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        return this;
    }

    private void loop(int id) {
        long sequence = 0;
        while (running) {
            String token = "t" + id + "-" + sequence++;
            long before = System.nanoTime();
            PooledConnection connection;
            try {
                connection = pool.acquire(acquireTimeout);
            }
            catch (IOException ex) {
                failures.add(new Failure(null, before, 0, System.nanoTime(), ex, -1));
                continue;
            }
            catch (RuntimeException | Error ex) {
                unexpected.add(ex);
                continue;
            }
            long acquired = System.nanoTime();
            maxAcquireNanos.accumulateAndGet(acquired - before, Math::max);
            if (windowOpen && before - windowStartNanos >= 0) {
                maxAcquireNanosInWindow.accumulateAndGet(acquired - before, Math::max);
            }
            ServerAddress server = connection.server();
            Socket socket = connection.socket();
            int localPort = socket.getLocalPort();
            if (!borrowed.add(socket)) {
                handedOutTwice.increment();
            }
            try {
                boolean right = call.run(connection, token);
                if (right) {
                    long now = System.nanoTime();
                    successes.computeIfAbsent(server, s -> new LongAdder()).increment();
                    firstSuccessSinceMark.computeIfAbsent(server, s -> new AtomicLong()).compareAndSet(0, now);
                }
                else {
                    wrongReplies.increment();
                    connection.invalidate();
                }
            }
            catch (IOException ex) {
                failures.add(new Failure(server, before, acquired, System.nanoTime(), ex, localPort));
            }
            catch (RuntimeException | Error ex) {
                unexpected.add(ex);
            }
            finally {
                borrowed.remove(socket);
                connection.close();
                total.increment();
            }
        }
    }

    /**
     * Measures, in {@link #maxAcquireNanosInWindow}, only the acquires that start from now on: one that began
     * earlier (a dial still under way when something changed) is not counted, however late it ends.
     */
    void measureAcquiresFrom(long startNanos) {
        maxAcquireNanosInWindow.set(0);
        windowStartNanos = startNanos;
        windowOpen = true;
    }

    /** Forgets the first success of every server, so {@link #firstSuccessAfterMark} tells the next one. */
    void mark() {
        firstSuccessSinceMark.values().forEach(value -> value.set(0));
    }

    /** When the first request to the server succeeded after the last {@link #mark()}; 0 if none yet. */
    long firstSuccessAfterMark(ServerAddress server) {
        return firstSuccessSinceMark.computeIfAbsent(server, s -> new AtomicLong()).get();
    }

    long successes(ServerAddress server) {
        LongAdder count = successes.get(server);
        return count == null ? 0 : count.sum();
    }

    long totalSuccesses() {
        return successes.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long requests() {
        return total.sum();
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Stops the callers and waits for each to finish its request. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                throw new AssertionError("caller thread " + thread.getName() + " did not finish within 30 s: "
                        + List.of(thread.getStackTrace()));
            }
        }
        threads.clear();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
