package io.connpool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Time under the test's control, for the pool's {@link Ticker} and {@link PoolScheduler} seams: time moves
 * only in {@link #advance}, and the tasks due by then (probes, housekeeping, background dials) run in the
 * test's own thread, in order of their due time. Backoff, ejection, probation, idle timeout and lifetime
 * then take microseconds of real time. Not thread-safe: one test thread drives it.
 */
final class FakeClock extends Ticker implements PoolScheduler, PoolScheduler.Factory {

    private static final long WALL_AT_START = 1_780_000_000_000L;

    private record Task(long dueNanos, long order, Runnable run, boolean[] cancelled) {
    }

    private final long startNanos = 1_000_000_000_000L;
    private long nanos = startNanos;
    private long order;
    private boolean shutDown;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            (a, b) -> a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.order, b.order));

    /** Builder options with this clock as the pool's ticker and scheduler. */
    ConnPool.Builder install(ConnPool.Builder builder) {
        builder.options.ticker = this;
        builder.options.schedulers = this;
        return builder;
    }

    ManagedConnection.Builder install(ManagedConnection.Builder builder) {
        builder.options.ticker = this;
        builder.options.schedulers = this;
        return builder;
    }

    /** How often the pool read the time: a test of what reads the clock, not a test of time. */
    private long reads;

    @Override
    long nanoTime() {
        reads++;
        return nanos;
    }

    long reads() {
        return reads;
    }

    @Override
    long wallMillis() {
        return WALL_AT_START + (nanos - startNanos) / 1_000_000;
    }

    /** Moves time forward, running every task due by then, each at its own due time. */
    void advance(Duration duration) {
        long target = nanos + duration.toNanos();
        Task next;
        while ((next = tasks.peek()) != null && next.dueNanos - target <= 0) {
            tasks.poll();
            nanos = Math.max(nanos, next.dueNanos);
            if (!next.cancelled[0]) {
                next.run.run();
            }
        }
        nanos = target;
    }

    /** Runs what is due now (background dials queued by the last call, say) without moving time. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** When the next task is due, from now; null if none is scheduled. */
    Duration nextDue() {
        for (Task task : sorted()) {
            if (!task.cancelled[0]) {
                return Duration.ofNanos(Math.max(0, task.dueNanos - nanos));
            }
        }
        return null;
    }

    private List<Task> sorted() {
        List<Task> all = new ArrayList<>(tasks);
        all.sort(tasks.comparator());
        return all;
    }

    @Override
    public PoolScheduler create(String owner) {
        return this;
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        if (shutDown) {
            return NOT_SCHEDULED;
        }
        boolean[] cancelled = {false};
        tasks.add(new Task(nanos + Math.max(0, delayNanos), order++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public boolean dial(Runnable task) {
        if (shutDown) {
            return false;
        }
        schedule(task, 0);
        return true;
    }

    @Override
    public void shutdown() {
        shutDown = true;
        tasks.clear();
    }
}
