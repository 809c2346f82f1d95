package io.connpool;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats a lookup of servers (DNS, a registry) on a pool's scheduler: each round on a dialer thread, since a
 * lookup may block (never on the housekeeping thread, never in a caller's); the next round an interval after
 * one that succeeded, sooner after one that failed (the pool's backoff, capped at the interval), so a name or
 * registry that comes back is seen soon without hammering one that stays away. Rounds never overlap;
 * {@link #refreshNow()} asks for one at once, coalesced with one already asked for.
 */
final class RefreshLoop {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    /** One lookup and what follows from it; returns whether it succeeded. */
    @FunctionalInterface
    interface Round {
        boolean run();
    }

    private final String what;
    private final PoolScheduler scheduler;
    private final Backoff backoff;
    private final long intervalNanos;
    private final Round round;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final ReentrantLock running = new ReentrantLock();
    /** Guarded by {@link #running}. */
    private int failures;
    /** Guarded by {@link #running}. */
    private PoolScheduler.Cancellable next = PoolScheduler.NOT_SCHEDULED;
    private volatile boolean stopped;

    RefreshLoop(String what, PoolScheduler scheduler, Backoff backoff, long intervalNanos, Round round) {
        this.what = what;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.intervalNanos = intervalNanos;
        this.round = round;
    }

    /** Runs the first round in the caller's thread, then the others in the background. */
    void start() {
        runRound();
    }

    /** Asks for a round at once, on a dialer thread; returns at once. */
    void refreshNow() {
        if (!stopped && queued.compareAndSet(false, true) && !scheduler.dial(this::runQueued)) {
            queued.set(false); // shut down
        }
    }

    void stop() {
        stopped = true;
        running.lock();
        try {
            next.cancel();
        }
        finally {
            running.unlock();
        }
    }

    private void runQueued() {
        queued.set(false); // a request from now on is for news this round may not see: it gets a round of its own
        runRound();
    }

    private void runRound() {
        running.lock();
        try {
            if (stopped) {
                return;
            }
            boolean ok;
            try {
                ok = round.run();
            }
            catch (RuntimeException ex) {
                log.warn("Refreshing {} failed; it is tried again with backoff", what, ex);
                ok = false;
            }
            failures = ok ? 0 : failures + 1;
            long delay = ok ? intervalNanos : Math.min(intervalNanos, Math.max(1, backoff.delay(failures).toNanos()));
            next.cancel();
            if (!stopped) {
                next = scheduler.schedule(this::refreshNow, delay);
            }
        }
        finally {
            running.unlock();
        }
    }
}
