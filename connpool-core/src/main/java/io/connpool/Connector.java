package io.connpool;

import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the pool's connections: dials into room a caller reserved, the one probe of a down server when
 * its backoff expires, and the background refill up to {@code minIdlePerServer}. Every dial's outcome goes
 * to the server's {@link ServerHealth} with the epoch the dial started at, so a late result never blames
 * or clears the server for what it did before.
 */
final class Connector {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final DefaultConnPool pool;
    private final ListenerChain listeners;
    private final PoolErrors errors;
    private final SocketOpener opener;
    private final PoolScheduler scheduler;
    private final Ticker ticker;
    private final ConnectionBudget budget;
    private final long dialTimeoutNanos;
    private final long maxLifetimeNanos;
    /** Null when {@code readTimeout} is 0. */
    private final ReadDeadlines deadlines;
    private final int minIdle;
    private final int maxConnections;

    Connector(DefaultConnPool pool, PoolConfig config, SocketOpener opener, PoolScheduler scheduler,
            ReadDeadlines deadlines, ListenerChain listeners, PoolErrors errors) {
        this.listeners = listeners;
        this.errors = errors;
        this.pool = pool;
        this.opener = opener;
        this.scheduler = scheduler;
        this.ticker = config.ticker();
        this.budget = config.budget();
        this.dialTimeoutNanos = config.dialTimeout().toNanos();
        this.maxLifetimeNanos = config.maxLifetime().toNanos();
        this.deadlines = deadlines;
        this.minIdle = config.minIdlePerServer();
        this.maxConnections = config.maxConnectionsPerServer();
    }

    /**
     * Dials for a caller, into room it reserves here (a slot, a permit, a place in the budget, or the place a
     * claim was granted); the entry, owned by the caller, or why not as a {@link PoolErrors.Refusal} (null: the
     * server has no room). A closed pool never dials.
     */
    Object dialFor(ServerPool server, long now, long deadline, ConnectionBudget.Claim claim)
            throws java.io.InterruptedIOException {
        if (pool.isClosed()) {
            return PoolErrors.Refusal.CLOSED;
        }
        if (!server.reserveDial()) {
            return null;
        }
        if (!server.tryPermit()) {
            server.cancelDial();
            listeners.rateLimited(server.address);
            return PoolErrors.Refusal.RATE_LIMITED;
        }
        if (budget != null && !(claim != null && claim.useGrant()) && !budget.reserve(true)) {
            server.cancelDial();
            return PoolErrors.Refusal.BUDGET_FULL;
        }
        PoolEntry entry = dial(server, deadline, false);
        if (entry != null) {
            return entry;
        }
        if (deadline != 0 && Thread.currentThread().isInterrupted()) {
            throw errors.interrupted(now);
        }
        return pool.isClosed() ? PoolErrors.Refusal.CLOSED : server.health.current().takesBorrows()
                ? PoolErrors.Refusal.DIAL_UNBLAMED : PoolErrors.Refusal.ALL_DOWN;
    }

    /**
     * Dials into room already reserved (a server slot and, with a budget, a place in it); the reservation is
     * given back unless the dial produces an entry. A background dial's entry goes idle at once; a caller's
     * is returned, owned by the caller. {@code deadlineNanos} is the caller's own deadline, 0 for none: a
     * dial it cuts short says nothing about the server. Returns null if no connection came of it.
     */
    PoolEntry dial(ServerPool server, long deadlineNanos, boolean background) {
        int epoch = server.health.current().epoch();
        long start = ticker.nanoTime();
        server.lastDialStartNanos = start;
        long timeout = dialTimeoutNanos;
        boolean shortened = false;
        if (deadlineNanos != 0 && deadlineNanos - start < timeout) {
            timeout = Math.max(deadlineNanos - start, TimeUnit.MILLISECONDS.toNanos(1));
            shortened = true;
        }
        Socket socket = null;
        boolean installed = false;
        try {
            socket = opener.open(server.address, server.origin.named(), server.origin.resolved(), timeout);
            long now = ticker.nanoTime();
            ServerHealth.Transition change = server.health.dialSucceeded(epoch);
            ServerHealth.Snapshot health = server.health.current();
            if (pool.isClosed() || !health.takesBorrows()) {
                // a dial that started before the server went down or was removed: its connection is not trusted
                pool.apply(server, change);
                return null;
            }
            PoolEntry entry = new PoolEntry(server, socket, now, lifetimeNanos(), health.generation(), deadlines);
            server.install(entry);
            installed = true;
            pool.created();
            if (background) {
                entry.touch(now);
                pool.offerIdle(entry); // before the change is applied: woken waiters find it, nobody dials again
            }
            pool.apply(server, change);
            return entry;
        }
        catch (java.io.IOException | RuntimeException ex) {
            if (SocketOpener.cutByCaller(ex, shortened)) {
                log.debug("Pool '{}': dial to {} cut short by the caller ({}); the server is not blamed", pool.name(),
                        server.address, PoolErrors.describe(ex));
            }
            else if (!pool.isClosed()) {
                pool.apply(server, server.health.dialFailed(epoch, ex));
            }
            return null;
        }
        finally {
            if (!installed) {
                Sockets.closeQuietly(socket);
                server.cancelDial();
                if (budget != null) {
                    budget.release();
                }
                pool.dialAbandoned();
            }
        }
    }

    /** The configured lifetime, up to 2.5 % shorter at random so connections do not expire together. */
    private long lifetimeNanos() {
        if (maxLifetimeNanos <= 0) {
            return 0;
        }
        long variance = maxLifetimeNanos / 40;
        return maxLifetimeNanos - (variance > 0 ? ThreadLocalRandom.current().nextLong(variance) : 0);
    }

    /** Schedules the one probe of a server that went down at {@code epoch}. */
    void scheduleProbe(ServerPool server, int epoch, long delayNanos) {
        server.health.probeScheduled(epoch, scheduler.schedule(() -> probeDue(server, epoch), delayNanos));
    }

    private void probeDue(ServerPool server, int epoch) {
        if (!pool.isClosed() && server.health.probeDue(epoch)) {
            scheduler.dial(() -> probe(server, epoch));
        }
    }

    private void probe(ServerPool server, int epoch) {
        if (pool.isClosed() || !server.health.probeDue(epoch)) {
            return;
        }
        long retry = Math.max(1, pool.config.backoff().delay(Math.max(1, server.health.current().step())).toNanos());
        if (!server.reserveDial()) {
            log.debug("Pool '{}': probe of {} waits {} ms: its {} connections are all still open, borrowed before"
                    + " it went down", pool.name(), server.address, TimeUnit.NANOSECONDS.toMillis(retry),
                    server.opened.get());
            scheduleProbe(server, epoch, retry);
            return;
        }
        if (budget != null && !budget.reserve(false)) {
            server.cancelDial();
            log.debug("Pool '{}': probe of {} waits {} ms for room in the shared budget", pool.name(), server.address,
                    TimeUnit.NANOSECONDS.toMillis(retry));
            scheduleProbe(server, epoch, retry);
            return;
        }
        dial(server, 0, true);
    }

    /** Dials in the background until the server has {@code minIdlePerServer} idle connections. */
    void requestRefill(ServerPool server) {
        if (minIdle == 0 || pool.isClosed() || !server.health.current().admitsCallers()
                || server.opened.get() >= maxConnections || server.countIn(PoolEntry.IDLE) >= minIdle
                || !server.refillPending.compareAndSet(false, true)) {
            return;
        }
        if (!scheduler.dial(() -> refill(server))) {
            server.refillPending.set(false);
        }
    }

    private void refill(ServerPool server) {
        try {
            while (!pool.isClosed() && server.health.current().admitsCallers()
                    && server.countIn(PoolEntry.IDLE) < minIdle) {
                if (!server.reserveDial()) {
                    return;
                }
                if (budget != null && !budget.reserve(false)) {
                    server.cancelDial();
                    return;
                }
                if (dial(server, 0, true) == null) {
                    return;
                }
            }
        }
        finally {
            server.refillPending.set(false);
        }
    }
}
