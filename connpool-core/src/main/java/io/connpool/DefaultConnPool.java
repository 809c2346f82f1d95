package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool. Borrowing is a round-robin pass over the servers that claims an idle entry by CAS or
 * reserves room and dials in the caller's thread; when nothing can serve, the caller parks in the
 * {@link WaitQueue} and is handed the next returned connection. One scheduler thread runs probes,
 * eviction and leak reports; a small dialer pool, whose threads end when idle, runs background dials.
 */
final class DefaultConnPool implements ConnPool, ConnectionBudget.BudgetMember {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    /** Why a pass over the servers found nothing. */
    private enum Refusal {
        ALL_DOWN, RATE_LIMITED, EXHAUSTED, BUDGET_FULL,
        /** The caller's own deadline cut a dial short: not the server's fault, and not a busy pool either. */
        DIAL_CUT_SHORT
    }

    private static final int DIALER_THREADS = 4;

    private final PoolConfig config;
    private final String name;
    private final ListenerChain listeners;
    private final ConnectionBudget budget;
    private final long dialTimeoutNanos;
    private final long acquireTimeoutNanos;
    private final int readTimeoutMillis;
    private final long validationIntervalNanos;
    private final long idleTimeoutNanos;
    private final long maxLifetimeNanos;
    private final long leakThresholdNanos;
    private final int minIdle;

    private volatile ServerPool[] servers;
    /**
     * The servers that are not down, in pool order: the round-robin turns. Counting turns over these only
     * keeps the share even when one is down (over all servers, the one after a down server would take its
     * turns too); rebuilt on every state change, never on the borrow path.
     */
    private volatile ServerPool[] inTurn;
    private final ReentrantLock serverChanges = new ReentrantLock();
    private final AtomicInteger cursor = new AtomicInteger();
    private final WaitQueue waiters = new WaitQueue();

    /** Leases and returns of connections already closed; live ones count on their entries. */
    private final LongAdder retiredLeases = new LongAdder();
    private final LongAdder retiredReturns = new LongAdder();
    private final LongAdder timeoutCount = new LongAdder();
    private final LongAdder createdCount = new LongAdder();
    private final LongAdder closedCount = new LongAdder();

    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor dialExecutor;

    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition drained = drainLock.newCondition();

    DefaultConnPool(PoolConfig config) {
        this.config = config;
        this.name = config.name();
        this.listeners = new ListenerChain(config.listeners());
        this.budget = config.budget();
        this.dialTimeoutNanos = config.dialTimeout().toNanos();
        this.acquireTimeoutNanos = config.acquireTimeout().toNanos();
        this.readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.readTimeout().toMillis());
        this.validationIntervalNanos = config.validationInterval().toNanos();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.maxLifetimeNanos = config.maxLifetime().toNanos();
        this.leakThresholdNanos = config.leakDetectionThreshold().toNanos();
        this.minIdle = config.minIdlePerServer();
        this.servers = config.servers().stream().map(this::newServer).toArray(ServerPool[]::new);
        this.inTurn = servers;

        this.scheduler = new ScheduledThreadPoolExecutor(1, threads("housekeeper"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.dialExecutor = new ThreadPoolExecutor(DIALER_THREADS, DIALER_THREADS, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("dialer"));
        this.dialExecutor.allowCoreThreadTimeOut(true);

        if (budget != null) {
            budget.register(this);
        }
        long period = housekeepingPeriodNanos();
        scheduler.scheduleWithFixedDelay(this::housekeep, period, period, TimeUnit.NANOSECONDS);
        for (ServerPool server : servers) {
            requestRefill(server);
        }
        log.info("Pool '{}' started: servers {}, {} connections per server at most, {} kept idle", name,
                config.servers(), config.maxConnectionsPerServer(), minIdle);
    }

    private ServerPool newServer(ServerAddress address) {
        return new ServerPool(address, config.maxConnectionsPerServer(), config.maxRps(), name);
    }

    private ThreadFactory threads(String role) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "connpool-" + name + "-" + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Often enough that idle timeout and lifetime are honoured within a quarter of their value. */
    private long housekeepingPeriodNanos() {
        long period = TimeUnit.SECONDS.toNanos(30);
        if (idleTimeoutNanos > 0) {
            period = Math.min(period, idleTimeoutNanos / 4);
        }
        if (maxLifetimeNanos > 0) {
            period = Math.min(period, maxLifetimeNanos / 4);
        }
        return Math.max(period, TimeUnit.MILLISECONDS.toNanos(10));
    }

    // ---------------------------------------------------------------- borrowing

    // The handle is made here, in a method small enough to inline into the caller, so that escape
    // analysis can scalar-replace it: borrowing then allocates nothing.

    @Override
    public PooledConnection acquire() throws ConnPoolException, InterruptedIOException {
        PoolEntry entry = borrow(acquireTimeoutNanos, true);
        return new PooledConnectionHandle(this, entry, entry.borrow());
    }

    @Override
    public PooledConnection acquire(Duration timeout) throws ConnPoolException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("acquire timeout must not be negative, was " + timeout);
        }
        PoolEntry entry = borrow(cappedNanos(timeout), true);
        return new PooledConnectionHandle(this, entry, entry.borrow());
    }

    @Override
    public PooledConnection tryAcquire() throws ConnPoolException {
        try {
            PoolEntry entry = borrow(0, false);
            return new PooledConnectionHandle(this, entry, entry.borrow());
        }
        catch (InterruptedIOException ex) {
            // tryAcquire does not wait, so only a dial can see the interrupt; report it as the dial's failure
            throw new ConnectionUnavailableException("Dial from pool '" + name + "' was interrupted", ex);
        }
    }

    /** Longer than anyone waits (about 73 years), and far enough from overflow to add to nanoTime(). */
    private static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

    private static long cappedNanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(FOREVER_NANOS)) >= 0 ? FOREVER_NANOS : timeout.toNanos();
    }

    private PoolEntry borrow(long timeoutNanos, boolean wait)
            throws ConnPoolException, InterruptedIOException {
        long start = System.nanoTime();
        Object found = pass(start, wait ? start + timeoutNanos : 0);
        if (found instanceof PoolEntry entry) {
            return lease(entry, start, start); // the common case: no wait, so no second clock read
        }
        if (!wait) {
            if (closed) {
                throw closedException(); // checked only here, off the fast path: a closed pool has nothing to pass
            }
            throw refused((Refusal) found);
        }
        return await(start, start + timeoutNanos, (Refusal) found);
    }

    /** The slow path: queue up, then look again each time a release, a dial or the clock wakes us. */
    private PoolEntry await(long start, long deadline, Refusal firstRefusal)
            throws ConnPoolException, InterruptedIOException {
        Refusal refusal = firstRefusal;
        // Registered before the next pass: a release between the first pass and now is not missed.
        WaitQueue.Waiter waiter = waiters.enqueue();
        boolean starved = false;
        try {
            while (true) {
                if (closed) {
                    throw closedException();
                }
                if (Thread.interrupted()) {
                    throw interrupted(start);
                }
                if (refusal == Refusal.BUDGET_FULL && !starved) {
                    budget.starving(true); // another pool's connection going idle will wake us to evict it
                    starved = true;
                }
                waiters.aboutToLook(waiter);
                Object found = pass(System.nanoTime(), deadline);
                if (found instanceof PoolEntry entry) {
                    return lease(entry, start, System.nanoTime());
                }
                refusal = (Refusal) found;
                long now = System.nanoTime();
                long remaining = deadline - now;
                if (remaining <= 0) {
                    throw timedOut(refusal, now - start);
                }
                long park = remaining;
                if (refusal == Refusal.RATE_LIMITED) {
                    park = Math.min(park, Math.max(TimeUnit.MILLISECONDS.toNanos(1), nanosToPermit()));
                }
                waiters.park(waiter, park);
            }
        }
        finally {
            waiters.leave(waiter);
            if (starved) {
                budget.starving(false);
            }
        }
    }

    /**
     * One round-robin pass: from the next server in turn, the first that is not down, has a permit and
     * has an idle connection or room to dial. Returns a {@link PoolEntry} the caller owns, or a
     * {@link Refusal}.
     */
    private Object pass(long startNanos, long deadlineNanos) throws InterruptedIOException {
        ServerPool[] all = inTurn;
        int n = all.length;
        if (n == 0) {
            return Refusal.ALL_DOWN;
        }
        int first = n == 1 ? 0 : (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
        int down = 0;
        boolean limited = false;
        boolean budgetFull = false;
        boolean cutShort = false;
        for (int i = 0; i < n; i++) {
            int index = first + i < n ? first + i : first + i - n;
            ServerPool server = all[index];
            if (server.isDown()) {
                down++;
                continue;
            }
            PoolEntry entry = takeIdle(server, startNanos);
            if (entry != null) {
                if (server.tryPermit()) {
                    return entry;
                }
                offerIdle(entry);
                listeners.rateLimited(server.address);
                limited = true;
                continue;
            }
            if (!server.reserveDial()) {
                if (server.isDown()) {
                    down++; // went down since the check above, e.g. by a background dial that just failed
                }
                continue;
            }
            if (!server.tryPermit()) {
                server.cancelDial();
                listeners.rateLimited(server.address);
                limited = true;
                continue;
            }
            if (budget != null && !budget.reserve(true)) {
                server.cancelDial();
                budgetFull = true;
                continue;
            }
            entry = dial(server, deadlineNanos);
            if (entry != null) {
                return entry;
            }
            if (Thread.currentThread().isInterrupted() && deadlineNanos != 0) {
                throw interrupted(startNanos);
            }
            if (server.isDown()) {
                down++;
            }
            else {
                cutShort = true; // a failed dial that did not put the server down was cut by our deadline
            }
        }
        return down == n ? Refusal.ALL_DOWN
                : limited ? Refusal.RATE_LIMITED
                : budgetFull ? Refusal.BUDGET_FULL
                : cutShort ? Refusal.DIAL_CUT_SHORT
                : Refusal.EXHAUSTED;
    }

    /** Claims an idle connection of the server that is fit to hand out, closing unfit ones on the way. */
    private PoolEntry takeIdle(ServerPool server, long nowNanos) {
        PoolEntry entry;
        while ((entry = server.claimIdle()) != null) {
            if (entry.evictOnReturn) {
                retire(entry, PoolEntry.IN_USE, CloseReason.EVICTED);
            }
            else if (entry.expired(nowNanos)) {
                retire(entry, PoolEntry.IN_USE, CloseReason.MAX_LIFETIME);
            }
            else if (nowNanos - entry.lastUsedNanos() >= validationIntervalNanos && !isValid(entry)) {
                retire(entry, PoolEntry.IN_USE, CloseReason.VALIDATION_FAILED);
            }
            else {
                return entry;
            }
        }
        return null;
    }

    private boolean isValid(PoolEntry entry) {
        String problem = LivenessCheck.problem(entry.socket);
        if (problem == null && config.validator() != null) {
            try {
                problem = config.validator().isValid(entry.socket) ? null : "rejected by the validator";
            }
            catch (IOException | RuntimeException ex) {
                problem = "validator failed: " + ServerPool.describe(ex);
            }
        }
        if (problem != null) {
            log.debug("Pool '{}' discards an idle {}: {}", name, entry, problem);
            return false;
        }
        return true;
    }

    /** Prepares an entry the caller owns for its borrower. */
    private PoolEntry lease(PoolEntry entry, long startNanos, long nowNanos) {
        entry.brokenBy = null;
        entry.invalidated = false;
        entry.borrowedNanos = nowNanos;
        entry.leases++;
        if (leakThresholdNanos > 0) {
            entry.leakReport = LeakReport.start(name, entry.server.address, leakThresholdNanos, scheduler);
        }
        listeners.acquired(entry.server.address, nowNanos - startNanos);
        return entry;
    }

    // ---------------------------------------------------------------- returning

    /**
     * Ends borrow {@code stamp} of the entry with one CAS, to idle or, if it must not be reused, to
     * removed. A second close, a stale handle or a close racing a force-close finds the borrow ended and
     * does nothing.
     */
    void release(PoolEntry entry, long stamp) {
        if (entry.borrow() != stamp) {
            return; // closed already: the common misuse, answered without a clock read
        }
        long now = System.nanoTime();
        ServerPool server = entry.server;
        Throwable broken = entry.brokenBy;
        CloseReason reason = broken != null ? CloseReason.BROKEN
                : entry.invalidated ? CloseReason.INVALIDATED
                : closed ? CloseReason.POOL_CLOSED
                : server.removed ? CloseReason.SERVER_REMOVED
                : server.state == ServerState.DOWN ? CloseReason.SERVER_DOWN
                : entry.evictOnReturn ? CloseReason.EVICTED
                : entry.expired(now) ? CloseReason.MAX_LIFETIME
                : null;
        LeakReport leak = entry.leakReport;
        long usage = now - entry.borrowedNanos;
        if (reason == null) {
            entry.touch(now);
            entry.lastOwner = currentThreadId();
        }
        if (!entry.endBorrow(stamp, reason == null ? PoolEntry.IDLE : PoolEntry.REMOVED)) {
            return;
        }
        if (leak != null) {
            entry.leakReport = null;
            leak.returned();
        }
        listeners.released(server.address, usage);
        if (reason != null) {
            if (broken != null) {
                ioFailure(server, broken); // before the close frees room, so nobody dials a server being ejected
            }
            destroy(entry, reason);
            return;
        }
        if (server.ioFailures.get() != 0) {
            server.ioFailures.set(0);
        }
        becameIdle(entry);
    }

    @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+, this is a Java 17 library
    private static long currentThreadId() {
        return Thread.currentThread().getId();
    }

    /** Gives back an entry the caller owns but did not lease (fresh from a background dial, or unpermitted). */
    private void offerIdle(PoolEntry entry) {
        if (entry.transition(PoolEntry.IN_USE, PoolEntry.IDLE)) {
            becameIdle(entry);
        }
    }

    private void becameIdle(PoolEntry entry) {
        ServerPool server = entry.server;
        if (server.removed && entry.reserveIdle()) {
            // dialed while removeServer ran: its closeIdle may have missed this one, so nobody else would close it
            retire(entry, PoolEntry.RESERVED, CloseReason.SERVER_REMOVED);
            return;
        }
        if (waiters.size() > 0) {
            waiters.wakeOne();
        }
        if (budget != null) {
            budget.idleAvailable();
        }
    }

    /** Closes an entry the caller owns in state {@code owned}; no effect if someone else retired it. */
    private void retire(PoolEntry entry, int owned, CloseReason reason) {
        if (entry.transition(owned, PoolEntry.REMOVED)) {
            destroy(entry, reason);
        }
    }

    private void destroy(PoolEntry entry, CloseReason reason) {
        ServerPool server = entry.server;
        entry.closeSocket();
        retiredLeases.add(entry.leases);
        retiredReturns.add(entry.borrow());
        server.uninstall(entry);
        closedCount.increment();
        log.debug("Pool '{}' closed {}: {}", name, entry, reason);
        listeners.connectionClosed(server.address, reason);
        if (budget != null) {
            budget.release();
        }
        if (closed) {
            signalDrained();
        }
        else {
            waiters.wakeOne(); // there is room to dial now
            requestRefill(server);
        }
    }

    // ---------------------------------------------------------------- dialing and server health

    /**
     * Dials into room the caller reserved (server slot and budget place). Returns the new entry, owned by
     * the caller, or null after recording the failure. {@code deadlineNanos} is the caller's own deadline,
     * 0 for none: a dial cut short by it says nothing about the server.
     */
    private PoolEntry dial(ServerPool server, long deadlineNanos) {
        int epoch = server.epochSnapshot();
        long start = System.nanoTime();
        long timeout = dialTimeoutNanos;
        boolean cutByCaller = false;
        if (deadlineNanos != 0 && deadlineNanos - start < timeout) {
            timeout = Math.max(deadlineNanos - start, TimeUnit.MILLISECONDS.toNanos(1));
            cutByCaller = true;
        }
        Socket socket = null;
        boolean installed = false;
        try {
            socket = config.dialer().dial(server.address, Duration.ofNanos(timeout));
            if (socket == null) {
                throw new IOException("the dialer " + config.dialer() + " returned no socket");
            }
            socket.setSoTimeout(readTimeoutMillis);
            long now = System.nanoTime();
            PoolEntry entry = new PoolEntry(server, socket, now, lifetimeNanos());
            server.install(entry);
            installed = true;
            createdCount.increment();
            listeners.dialSucceeded(server.address, now - start);
            markUp(server);
            if (closed) {
                retire(entry, PoolEntry.IN_USE, CloseReason.POOL_CLOSED);
                return null;
            }
            return entry;
        }
        catch (IOException | RuntimeException ex) {
            long elapsed = System.nanoTime() - start;
            listeners.dialFailed(server.address, elapsed, ex);
            boolean callersOwn = ex instanceof ClosedByInterruptException
                    || Thread.currentThread().isInterrupted()
                    || (cutByCaller && ex instanceof SocketTimeoutException);
            if (callersOwn) {
                log.debug("Pool '{}': dial to {} cut short by the caller ({}); the server is not blamed", name,
                        server.address, ServerPool.describe(ex));
            }
            else if (!closed) {
                markDown(server, ex, epoch, false);
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

    private void markUp(ServerPool server) {
        if (server.state == ServerState.UP) {
            return;
        }
        ServerState before;
        int failures;
        server.health.lock();
        try {
            before = server.state;
            if (before == ServerState.UP) {
                return;
            }
            failures = server.dialFailures;
            server.state = ServerState.UP;
            server.dialFailures = 0;
            server.epoch++;
            server.lastError = null;
            server.nextRetryAtMillis = 0;
            if (server.probe != null) {
                server.probe.cancel(false);
                server.probe = null;
            }
        }
        finally {
            server.health.unlock();
        }
        server.ioFailures.set(0);
        refreshTurns();
        if (before == ServerState.DOWN) {
            log.info("Server {} of pool '{}' is back UP after {} failed attempt(s)", server.address, name, failures);
        }
        else {
            log.debug("Server {} of pool '{}' is UP", server.address, name);
        }
        listeners.serverUp(server.address);
        waiters.wakeAll();
    }

    /**
     * Puts a server in backoff and schedules its one probe. A failed dial that started before the server's
     * last state change is only recorded: it is not a new backoff step (unless {@code force}, for
     * ejection).
     */
    private void markDown(ServerPool server, Throwable cause, int epochAtStart, boolean force) {
        ServerState before;
        long delayNanos;
        int failures;
        long nowMillis = System.currentTimeMillis();
        server.health.lock();
        try {
            server.lastError = cause;
            server.lastErrorAtMillis = nowMillis;
            before = server.state;
            if (server.removed || (!force && before == ServerState.DOWN && epochAtStart != server.epoch)) {
                return;
            }
            if (force && before == ServerState.DOWN) {
                return;
            }
            failures = ++server.dialFailures;
            delayNanos = Math.max(1, config.backoff().delay(failures).toNanos());
            server.nextRetryAtMillis = nowMillis + TimeUnit.NANOSECONDS.toMillis(delayNanos);
            server.state = ServerState.DOWN;
            server.epoch++;
            if (server.probe != null) {
                server.probe.cancel(false);
            }
            try {
                server.probe = scheduler.schedule(() -> probe(server), delayNanos, TimeUnit.NANOSECONDS);
            }
            catch (RejectedExecutionException closing) {
                server.probe = null;
            }
        }
        finally {
            server.health.unlock();
        }
        if (before != ServerState.DOWN) {
            refreshTurns();
            log.warn("Server {} of pool '{}' is DOWN: {}; retrying in {} ms", server.address, name,
                    ServerPool.describe(cause), TimeUnit.NANOSECONDS.toMillis(delayNanos));
            listeners.serverDown(server.address, cause, delayNanos);
            closeIdle(server, CloseReason.SERVER_DOWN);
        }
        else {
            log.debug("Server {} of pool '{}' still down after attempt {}: {}; next retry in {} ms",
                    server.address, name, failures, ServerPool.describe(cause),
                    TimeUnit.NANOSECONDS.toMillis(delayNanos));
        }
    }

    /** An I/O error on a borrowed connection: enough in a row eject the server like a failed dial. */
    private void ioFailure(ServerPool server, Throwable error) {
        if (error instanceof ClosedByInterruptException
                || (error instanceof InterruptedIOException && !(error instanceof SocketTimeoutException))) {
            return; // the borrower's own interruption says nothing about the server
        }
        int failures = server.ioFailures.incrementAndGet();
        server.lastError = error;
        server.lastErrorAtMillis = System.currentTimeMillis();
        int limit = config.ejectAfterFailures();
        if (limit > 0 && failures >= limit && server.state != ServerState.DOWN) {
            markDown(server, new IOException(failures + " consecutive connections failed with I/O errors, the last: "
                    + ServerPool.describe(error), error), 0, true);
        }
    }

    /** Runs on the scheduler when a down server's backoff expires; the dial itself goes to the dialers. */
    private void probe(ServerPool server) {
        if (closed || server.removed) {
            return;
        }
        try {
            dialExecutor.execute(() -> probeNow(server));
        }
        catch (RejectedExecutionException closing) {
            // the pool is closing
        }
    }

    private void probeNow(ServerPool server) {
        if (closed || server.removed) {
            return;
        }
        if (!server.reserveBackgroundDial()) {
            reschedule(server); // full of borrowed connections from before it went down
            return;
        }
        if (budget != null && !budget.reserve(false)) {
            server.cancelDial();
            reschedule(server);
            return;
        }
        PoolEntry entry = dial(server, 0);
        if (entry != null) {
            entry.touch(System.nanoTime());
            offerIdle(entry);
        }
    }

    private void reschedule(ServerPool server) {
        server.health.lock();
        try {
            if (server.state == ServerState.DOWN && !closed) {
                long delay = config.backoff().delay(Math.max(1, server.dialFailures)).toNanos();
                server.probe = scheduler.schedule(() -> probe(server), delay, TimeUnit.NANOSECONDS);
            }
        }
        catch (RejectedExecutionException closing) {
            // the pool is closing
        }
        finally {
            server.health.unlock();
        }
    }

    /** Dials in the background until the server has {@code minIdlePerServer} idle connections. */
    private void requestRefill(ServerPool server) {
        if (minIdle == 0 || closed || server.isDown() || server.opened.get() >= config.maxConnectionsPerServer()
                || server.countIn(PoolEntry.IDLE) >= minIdle || !server.refillPending.compareAndSet(false, true)) {
            return;
        }
        try {
            dialExecutor.execute(() -> refill(server));
        }
        catch (RejectedExecutionException closing) {
            server.refillPending.set(false);
        }
    }

    private void refill(ServerPool server) {
        try {
            while (!closed && !server.isDown() && server.countIn(PoolEntry.IDLE) < minIdle) {
                if (!server.reserveBackgroundDial()) {
                    return;
                }
                if (budget != null && !budget.reserve(false)) {
                    server.cancelDial();
                    return;
                }
                PoolEntry entry = dial(server, 0);
                if (entry == null) {
                    return;
                }
                entry.touch(System.nanoTime());
                offerIdle(entry);
            }
        }
        finally {
            server.refillPending.set(false);
        }
    }

    /** Closes idle connections past their lifetime or idle timeout, then tops servers up to min idle. */
    private void housekeep() {
        try {
            long now = System.nanoTime();
            for (ServerPool server : servers) {
                int idle = server.countIn(PoolEntry.IDLE);
                for (int i = 0; i < server.slots.length(); i++) {
                    PoolEntry entry = server.slots.get(i);
                    if (entry == null || entry.state() != PoolEntry.IDLE) {
                        continue;
                    }
                    boolean expired = entry.expired(now);
                    boolean idleTooLong = idleTimeoutNanos > 0 && idle > minIdle
                            && now - entry.lastUsedNanos() > idleTimeoutNanos;
                    if ((expired || idleTooLong) && entry.reserveIdle()) {
                        idle--;
                        retire(entry, PoolEntry.RESERVED, expired ? CloseReason.MAX_LIFETIME : CloseReason.IDLE_TIMEOUT);
                    }
                    else if (now - entry.lastUsedNanos() >= validationIntervalNanos && entry.reserveIdle()) {
                        // A connection the server closed still counts as idle: unless found here, min idle is
                        // never refilled. Only the cheap peer-closed check; the validator may do I/O.
                        String problem = LivenessCheck.problem(entry.socket);
                        if (problem != null) {
                            idle--;
                            log.debug("Pool '{}' discards an idle {}: {}", name, entry, problem);
                            retire(entry, PoolEntry.RESERVED, CloseReason.VALIDATION_FAILED);
                        }
                        else if (entry.transition(PoolEntry.RESERVED, PoolEntry.IN_USE)) {
                            offerIdle(entry); // back to idle, waking a caller who started waiting meanwhile
                        }
                    }
                }
                requestRefill(server);
            }
        }
        catch (RuntimeException ex) {
            log.warn("Pool '{}' housekeeping failed; it runs again at the next period", name, ex);
        }
    }

    private void closeIdle(ServerPool server, CloseReason reason) {
        for (int i = 0; i < server.slots.length(); i++) {
            PoolEntry entry = server.slots.get(i);
            if (entry != null && entry.reserveIdle()) {
                retire(entry, PoolEntry.RESERVED, reason);
            }
        }
    }

    private long nanosToPermit() {
        long soonest = Long.MAX_VALUE;
        for (ServerPool server : servers) {
            if (!server.isDown()) {
                soonest = Math.min(soonest, server.nanosToPermit());
            }
        }
        return soonest == Long.MAX_VALUE ? 0 : soonest;
    }

    /**
     * Rebuilds the turns. Under the lock, so the last rebuild to run saw every state change made before it
     * started: a snapshot computed earlier can never be published after a newer one.
     */
    private void refreshTurns() {
        serverChanges.lock();
        try {
            inTurn = Arrays.stream(servers).filter(server -> !server.isDown()).toArray(ServerPool[]::new);
        }
        finally {
            serverChanges.unlock();
        }
    }

    // ---------------------------------------------------------------- run-time changes

    @Override
    public boolean addServer(ServerAddress address) {
        Objects.requireNonNull(address, "server");
        ServerPool added;
        serverChanges.lock();
        try {
            if (closed) {
                throw new IllegalStateException("Pool '" + name + "' is closed; cannot add server " + address);
            }
            ServerPool[] current = servers;
            for (ServerPool server : current) {
                if (server.address.equals(address)) {
                    return false;
                }
            }
            added = newServer(address);
            ServerPool[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = added;
            servers = next;
            refreshTurns();
        }
        finally {
            serverChanges.unlock();
        }
        log.info("Server {} added to pool '{}'", address, name);
        listeners.serverAdded(address);
        requestRefill(added);
        waiters.wakeAll();
        return true;
    }

    @Override
    public boolean removeServer(ServerAddress address) {
        Objects.requireNonNull(address, "server");
        ServerPool removed = null;
        serverChanges.lock();
        try {
            ServerPool[] current = servers;
            List<ServerPool> kept = new ArrayList<>(current.length);
            for (ServerPool server : current) {
                if (server.address.equals(address)) {
                    removed = server;
                }
                else {
                    kept.add(server);
                }
            }
            if (removed == null) {
                return false;
            }
            removed.removed = true;
            servers = kept.toArray(ServerPool[]::new);
            refreshTurns();
        }
        finally {
            serverChanges.unlock();
        }
        cancelProbe(removed);
        closeIdle(removed, CloseReason.SERVER_REMOVED);
        log.info("Server {} removed from pool '{}'; its {} borrowed connection(s) close when returned", address, name,
                removed.countIn(PoolEntry.IN_USE));
        listeners.serverRemoved(address);
        return true;
    }

    @Override
    public void softEvict() {
        for (ServerPool server : servers) {
            softEvict(server);
        }
    }

    @Override
    public void softEvict(ServerAddress address) {
        Objects.requireNonNull(address, "server");
        for (ServerPool server : servers) {
            if (server.address.equals(address)) {
                softEvict(server);
            }
        }
    }

    private void softEvict(ServerPool server) {
        for (int i = 0; i < server.slots.length(); i++) {
            PoolEntry entry = server.slots.get(i);
            if (entry == null) {
                continue;
            }
            entry.evictOnReturn = true; // borrowed: replaced when returned; idle and claimed meanwhile: on borrow
            if (entry.reserveIdle()) {
                retire(entry, PoolEntry.RESERVED, CloseReason.EVICTED);
            }
        }
    }

    private void cancelProbe(ServerPool server) {
        server.health.lock();
        try {
            if (server.probe != null) {
                server.probe.cancel(false);
                server.probe = null;
            }
        }
        finally {
            server.health.unlock();
        }
    }

    @Override
    public void addListener(ConnPoolListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(ConnPoolListener listener) {
        listeners.remove(listener);
    }

    // ---------------------------------------------------------------- budget membership

    @Override
    public PoolEntry leastRecentlyUsedIdle() {
        PoolEntry oldest = null;
        for (ServerPool server : servers) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry != null && entry.state() == PoolEntry.IDLE
                        && (oldest == null || entry.lastUsedNanos() - oldest.lastUsedNanos() < 0)) {
                    oldest = entry;
                }
            }
        }
        return oldest;
    }

    @Override
    public boolean evictForBudget(PoolEntry entry) {
        if (entry.reserveIdle()) {
            retire(entry, PoolEntry.RESERVED, CloseReason.BUDGET);
            return true;
        }
        return false;
    }

    @Override
    public boolean wakeWaiterForBudget() {
        return waiters.wakeOne();
    }

    // ---------------------------------------------------------------- state

    @Override
    public List<ServerStatus> servers() {
        ServerPool[] all = servers;
        List<ServerStatus> statuses = new ArrayList<>(all.length);
        for (ServerPool server : all) {
            statuses.add(server.status());
        }
        return List.copyOf(statuses);
    }

    @Override
    public Optional<RateLimiter> rateLimiter(ServerAddress address) {
        for (ServerPool server : servers) {
            if (server.address.equals(address)) {
                return Optional.ofNullable(server.rateLimiter);
            }
        }
        return Optional.empty();
    }

    @Override
    public PoolStats stats() {
        ServerPool[] all = servers;
        int active = 0;
        int idle = 0;
        long leases = retiredLeases.sum();
        long returns = retiredReturns.sum();
        for (ServerPool server : all) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry == null) {
                    continue;
                }
                int state = entry.state();
                if (state == PoolEntry.IN_USE) {
                    active++;
                }
                else if (state == PoolEntry.IDLE) {
                    idle++;
                }
                leases += entry.leases;
                returns += entry.borrow();
            }
        }
        return new PoolStats(active, idle, waiters.size(), all.length * config.maxConnectionsPerServer(), leases,
                returns, timeoutCount.sum(), createdCount.sum(), closedCount.sum());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        waiters.wakeAll();
        for (ServerPool server : servers) {
            cancelProbe(server);
            closeIdle(server, CloseReason.POOL_CLOSED);
        }
        dialExecutor.shutdownNow();
        if (budget != null) {
            budget.unregister(this);
        }
        int borrowed = openConnections();
        if (borrowed == 0) {
            scheduler.shutdownNow();
        }
        else {
            // leak reports of connections still out keep running until they are back or force-closed
            scheduler.shutdown();
        }
        log.info("Pool '{}' closed{}", name,
                borrowed == 0 ? "" : "; " + borrowed + " borrowed connection(s) close when returned");
    }

    @Override
    public boolean close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        close();
        long deadline = System.nanoTime() + Math.max(0, grace.toNanos());
        drainLock.lock();
        try {
            while (openConnections() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                drained.awaitNanos(left);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            drainLock.unlock();
        }
        int forced = 0;
        for (ServerPool server : servers) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry == null) {
                    continue;
                }
                boolean borrowed = entry.transition(PoolEntry.IN_USE, PoolEntry.REMOVED);
                if (borrowed || entry.transition(PoolEntry.IDLE, PoolEntry.REMOVED)) {
                    if (borrowed) {
                        retiredReturns.increment(); // the borrow ends here; its late close() finds it ended
                    }
                    destroy(entry, CloseReason.POOL_CLOSED);
                    forced++;
                }
            }
        }
        scheduler.shutdownNow();
        if (forced > 0) {
            log.warn("Pool '{}' force-closed {} connection(s) still borrowed after the grace period of {} ms", name,
                    forced, grace.toMillis());
        }
        return forced == 0;
    }

    private int openConnections() {
        int open = 0;
        for (ServerPool server : servers) {
            open += server.opened.get();
        }
        return open;
    }

    private void signalDrained() {
        drainLock.lock();
        try {
            drained.signalAll();
        }
        finally {
            drainLock.unlock();
        }
        if (openConnections() == 0) {
            scheduler.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- errors

    private PoolClosedException closedException() {
        return new PoolClosedException("Pool '" + name + "' is closed, so no connection can be acquired from it;"
                + " it was closed by close() or by application shutdown. Acquire from a pool that is open.");
    }

    private InterruptedIOException interrupted(long startNanos) {
        Thread.currentThread().interrupt();
        return new InterruptedIOException("Interrupted while acquiring a connection from pool '" + name + "' after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms");
    }

    private ConnPoolException refused(Refusal refusal) {
        return switch (refusal) {
            case ALL_DOWN -> noServer("No server of pool '" + name + "' is available");
            case RATE_LIMITED -> new RateLimitedException("Every server of pool '" + name + "' that could serve has"
                    + " used its maxRps=" + config.maxRps() + " permits for this second. Retry later, send less, or"
                    + " raise maxRps.");
            case BUDGET_FULL -> new PoolExhaustedException("The shared connection budget (" + budget + ") is full"
                    + " and none of its connections is idle, so pool '" + name + "' cannot open another. Return"
                    + " connections sooner, raise the budget, or call acquire() to wait.");
            case EXHAUSTED -> new PoolExhaustedException("Pool '" + name + "' is exhausted: " + usage()
                    + ". Return connections sooner (close every PooledConnection), raise maxConnectionsPerServer"
                    + " (now " + config.maxConnectionsPerServer() + "), or call acquire() to wait.");
            case DIAL_CUT_SHORT -> new ConnPoolException("A dial from pool '" + name + "' was interrupted or"
                    + " abandoned before it completed; the server is not marked down for it. Try again.");
        };
    }

    private ConnPoolException timedOut(Refusal refusal, long waitedNanos) {
        timeoutCount.increment();
        listeners.acquireTimedOut(waitedNanos);
        long waited = TimeUnit.NANOSECONDS.toMillis(waitedNanos);
        if (refusal == Refusal.ALL_DOWN) {
            return noServer("No server of pool '" + name + "' became available within " + waited + " ms");
        }
        String why = switch (refusal) {
            case RATE_LIMITED -> "the servers that could serve were rate limited at maxRps=" + config.maxRps();
            case BUDGET_FULL -> "the shared connection budget (" + budget + ") stayed full";
            case DIAL_CUT_SHORT -> "a dial still in progress at the deadline was abandoned (dialTimeout is "
                    + config.dialTimeout().toMillis() + " ms; the server is not marked down for it)";
            default -> "every connection stayed busy";
        };
        return new AcquireTimeoutException("Pool '" + name + "' could not provide a connection within " + waited
                + " ms: " + why + " (" + usage() + "). Raise acquireTimeout or maxConnectionsPerServer, return"
                + " connections sooner, or look for a slow server.");
    }

    private String usage() {
        PoolStats stats = stats();
        return "active=" + stats.active() + ", idle=" + stats.idle() + ", waiting=" + stats.pending() + ", max="
                + stats.max();
    }

    private NoServerAvailableException noServer(String headline) {
        List<ServerStatus> statuses = servers();
        if (statuses.isEmpty()) {
            return new NoServerAvailableException(headline + ": it has no servers. Add one with addServer(..).",
                    statuses, null);
        }
        StringJoiner each = new StringJoiner("; ");
        long now = System.currentTimeMillis();
        Throwable latest = null;
        for (ServerStatus status : statuses) {
            StringBuilder line = new StringBuilder(status.address().toString()).append(" is ").append(status.state());
            if (status.lastError() != null) {
                line.append(" (").append(status.lastError()).append(')');
            }
            if (status.nextRetry() != null) {
                line.append(", next retry in ").append(Math.max(0, status.nextRetry().toEpochMilli() - now))
                        .append(" ms");
            }
            each.add(line);
        }
        for (ServerPool server : servers) {
            if (server.lastError != null) {
                latest = server.lastError;
            }
        }
        return new NoServerAvailableException(headline + ": " + each + ". Check that the servers are running and"
                + " reachable; the pool keeps retrying them in the background.", statuses, latest);
    }


    @Override
    public String toString() {
        return "ConnPool[" + name + ", " + usage() + (closed ? ", closed]" : "]");
    }
}
