package io.connpool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pool's {@code readTimeout}, without {@code SO_TIMEOUT}. A timed socket read costs the JDK a poll before
 * each read (about a fifth of a loopback round trip, measured in issue 12); a plain blocking read does not.
 * So a read through a borrow's input arms a deadline on its entry (one clock read, one ordered store) and
 * disarms it after (one atomic swap), and this sweep, on the pool's scheduler, closes the socket of a read
 * past its deadline: the read ends, the borrower gets a {@link java.net.SocketTimeoutException}, and the
 * connection is never reused. A timeout fires between its bound and its bound plus one tick (a sixteenth of
 * it, between 1 and 100 ms), plus scheduling delay. The sweep runs only while connections are borrowed.
 */
final class ReadDeadlines {

    private final ServerSet servers;
    private final PoolScheduler scheduler;
    private final Ticker ticker;
    private final long tickNanos;
    final long timeoutNanos;
    private final AtomicBoolean running = new AtomicBoolean();

    ReadDeadlines(ServerSet servers, PoolScheduler scheduler, Ticker ticker, long readTimeoutNanos) {
        this.servers = servers;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.tickNanos = tickFor(readTimeoutNanos);
        this.timeoutNanos = readTimeoutNanos;
    }

    static long tickFor(long readTimeoutNanos) {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(TimeUnit.MILLISECONDS.toNanos(100),
                readTimeoutNanos / 16));
    }

    /**
     * A read through a borrow's input starts: its deadline is armed, and the sweep must run. One clock read,
     * one ordered store, one volatile read while the sweep runs; nothing at all for a borrow that does not
     * read through its input.
     */
    void arm(PoolEntry entry) {
        entry.armRead(ticker.nanoTime() + timeoutNanos);
        if (!running.get() && running.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }

    private void scheduleSweep() {
        if (scheduler.schedule(this::sweep, tickNanos) == PoolScheduler.NOT_SCHEDULED) {
            running.set(false);
        }
    }

    void sweep() {
        if (expireDue(ticker.nanoTime())) {
            scheduleSweep();
            return;
        }
        // nothing borrowed: stop, then look once more, since a lend that saw the sweep running may have
        // happened between the look and the stop
        running.set(false);
        if (anyBorrowed() && running.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }

    /** Expires reads past their deadline; true if any connection is borrowed. */
    private boolean expireDue(long now) {
        boolean borrowed = false;
        for (ServerPool server : servers.all()) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry != null && entry.state() == PoolEntry.IN_USE) {
                    borrowed = true;
                    entry.expireReadIfDue(now);
                }
            }
        }
        return borrowed;
    }

    private boolean anyBorrowed() {
        for (ServerPool server : servers.all()) {
            if (server.countIn(PoolEntry.IN_USE) > 0) {
                return true;
            }
        }
        return false;
    }
}
