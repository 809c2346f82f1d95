package io.connpool.benchmarks.readtimeout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A watchdog that keeps no queue: each connection holds its armed deadline in one field, and one thread sweeps
 * every registered connection each tick (a timing wheel with one slot), closing those whose deadline passed.
 * Per read: {@code enter} is one ordered store (plus a clock read unless coarse), {@code exit} one atomic swap,
 * so a reader never misses that the watchdog expired it. A deadline fires between the timeout and the timeout
 * plus one tick (two with the coarse clock), plus scheduling delay.
 *
 * <p>With {@code coarse}, readers do not read the clock at all: the sweep thread publishes {@code now} each tick,
 * and a deadline is that value plus the timeout plus one tick (so it never fires early).
 */
final class SweepWatchdog implements Watchdog {

    /** The deadline value of a read the watchdog expired; a real deadline never takes it (nor 0). */
    static final long EXPIRED = Long.MIN_VALUE;
    private static final VarHandle DEADLINE;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(WatchedConnection.class, "deadline", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Set<WatchedConnection> connections = ConcurrentHashMap.newKeySet();
    private final long timeoutNanos;
    private final long tickNanos;
    private final boolean coarse;
    private final Thread thread;
    private volatile long now = System.nanoTime();
    private volatile boolean closed;

    /**
     * @param timeoutNanos the read timeout every connection of this watchdog uses
     * @param coarse readers take the time from the sweep thread instead of reading the clock
     */
    SweepWatchdog(long timeoutNanos, boolean coarse) {
        this.timeoutNanos = timeoutNanos;
        this.tickNanos = tickFor(timeoutNanos);
        this.coarse = coarse;
        this.thread = new Thread(this::sweepLoop, "read-timeout-sweep");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** A sixteenth of the timeout, between 1 ms and 100 ms: a 30 s timeout fires at most 0.3 % late. */
    static long tickFor(long timeoutNanos) {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(100),
                timeoutNanos / 16));
    }

    long tickNanos() {
        return tickNanos;
    }

    @Override
    public void register(WatchedConnection connection) {
        connections.add(connection);
    }

    @Override
    public void unregister(WatchedConnection connection) {
        connections.remove(connection);
    }

    @Override
    public void enter(WatchedConnection connection) {
        long deadline = coarse ? now + timeoutNanos + tickNanos : System.nanoTime() + timeoutNanos;
        if (deadline == 0 || deadline == EXPIRED) {
            deadline++;
        }
        DEADLINE.setRelease(connection, deadline);
    }

    @Override
    public boolean exit(WatchedConnection connection) {
        return (long) DEADLINE.getAndSet(connection, 0L) == EXPIRED;
    }

    private void sweepLoop() {
        while (!closed) {
            LockSupport.parkNanos(this, tickNanos);
            long time = System.nanoTime();
            now = time;
            for (WatchedConnection connection : connections) {
                long deadline = (long) DEADLINE.getAcquire(connection);
                if (deadline != 0 && deadline != EXPIRED && time - deadline >= 0
                        && DEADLINE.compareAndSet(connection, deadline, EXPIRED)) {
                    connection.expire();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
