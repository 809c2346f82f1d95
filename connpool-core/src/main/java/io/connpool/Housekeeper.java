package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks after idle connections: closes those past their lifetime or idle timeout, sweeps the rest for a
 * peer that closed them (so that a server stopped while the pool is quiet shows {@code DOWN} within
 * seconds: its dead connections are found here, and the refill that replaces them fails), and tops every
 * server up to {@code minIdlePerServer}. {@link #run(long)} is one round at a given time and returns when
 * the next is due, like OkHttp's {@code closeConnections(now)}, so it is tested at synthetic times.
 */
final class Housekeeper {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    /**
     * How often idle connections are swept for a dead peer. A non-blocking read costs microseconds for plain
     * TCP; a stopped server then shows DOWN within about this plus one dial.
     */
    static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final DefaultConnPool pool;
    private final Connector connector;
    private final long idleTimeoutNanos;
    private final long validationIntervalNanos;
    private final int minIdle;
    /** At least this often, so idle timeout and lifetime are honoured within a quarter of their value. */
    private final long maxDelayNanos;

    Housekeeper(DefaultConnPool pool, PoolConfig config, Connector connector) {
        this.pool = pool;
        this.connector = connector;
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.validationIntervalNanos = config.validationInterval().toNanos();
        this.minIdle = config.minIdlePerServer();
        long maxDelay = SWEEP_INTERVAL_NANOS;
        if (idleTimeoutNanos > 0) {
            maxDelay = Math.min(maxDelay, idleTimeoutNanos / 4);
        }
        long lifetime = config.maxLifetime().toNanos();
        if (lifetime > 0) {
            maxDelay = Math.min(maxDelay, lifetime / 4);
        }
        this.maxDelayNanos = Math.max(MIN_DELAY_NANOS, maxDelay);
    }

    private volatile PoolScheduler.Cancellable next = PoolScheduler.NOT_SCHEDULED;
    private volatile boolean stopped;

    /** Runs rounds on the scheduler, each when the one before said the next is due. */
    void start(PoolScheduler scheduler, Ticker ticker) {
        scheduleNext(scheduler, ticker, SWEEP_INTERVAL_NANOS);
    }

    private void scheduleNext(PoolScheduler scheduler, Ticker ticker, long delayNanos) {
        next = scheduler.schedule(() -> {
            if (!stopped) {
                scheduleNext(scheduler, ticker, run(ticker.nanoTime()));
            }
        }, delayNanos);
    }

    void stop() {
        stopped = true;
        next.cancel();
    }

    /** One round at {@code now}; returns the nanoseconds until the next round is due. */
    long run(long now) {
        long next = maxDelayNanos;
        for (ServerPool server : pool.servers.all()) {
            ServerHealth.Snapshot health = server.health.current();
            int idle = server.countIn(PoolEntry.IDLE);
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry == null || entry.state() != PoolEntry.IDLE) {
                    continue;
                }
                long idleFor = now - entry.idleSince(now);
                CloseReason reason = !health.keeps(entry.generation) ? CloseReason.SERVER_DOWN
                        : entry.expired(now) ? CloseReason.MAX_LIFETIME
                        : idleTimeoutNanos > 0 && idle > minIdle && idleFor > idleTimeoutNanos ? CloseReason.IDLE_TIMEOUT
                        : null;
                if (reason != null) {
                    if (entry.reserveIdle()) {
                        idle--;
                        pool.retire(entry, PoolEntry.RESERVED, reason);
                    }
                    continue;
                }
                if (idleFor >= validationIntervalNanos && entry.reserveIdle()) {
                    if (!sweep(entry)) {
                        idle--;
                        continue;
                    }
                }
                next = Math.min(next, untilDue(entry, now, idleFor, idle));
            }
            connector.requestRefill(server);
        }
        return Math.max(MIN_DELAY_NANOS, next);
    }

    /** Checks a reserved idle entry for a dead peer; gives it back and returns true if it is fine. */
    private boolean sweep(PoolEntry entry) {
        // only the cheap check here: the validator may do I/O, which belongs on the borrower's time
        String problem = LivenessCheck.problem(entry.socket);
        if (problem != null) {
            log.debug("Pool '{}' discards an idle {}: {}", pool.name(), entry, problem);
            pool.retire(entry, PoolEntry.RESERVED, CloseReason.VALIDATION_FAILED);
            return false;
        }
        if (entry.transition(PoolEntry.RESERVED, PoolEntry.IN_USE)) {
            pool.offerIdle(entry); // back to idle, waking a caller who started waiting meanwhile
        }
        return true;
    }

    /** When this idle entry next needs a look: its lifetime, or its idle timeout if it is above min idle. */
    private long untilDue(PoolEntry entry, long now, long idleFor, int idle) {
        long due = Long.MAX_VALUE;
        if (!entry.unlimitedLifetime) {
            due = Math.max(0, entry.expiresNanos - now);
        }
        if (idleTimeoutNanos > 0 && idle > minIdle) {
            due = Math.min(due, Math.max(0, idleTimeoutNanos - idleFor + 1));
        }
        return due;
    }

    void softEvict(ServerPool[] servers) {
        for (ServerPool server : servers) {
            softEvict(server);
        }
    }

    /** Replaces every connection of the server once: idle ones close now, borrowed ones when returned. */
    void softEvict(ServerPool server) {
        for (int i = 0; i < server.slots.length(); i++) {
            PoolEntry entry = server.slots.get(i);
            if (entry == null) {
                continue;
            }
            entry.evictOnReturn = true; // borrowed: replaced when returned; idle and claimed meanwhile: on borrow
            if (entry.reserveIdle()) {
                pool.retire(entry, PoolEntry.RESERVED, CloseReason.EVICTED);
            }
        }
    }
}
