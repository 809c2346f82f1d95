package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;
import io.connpool.PoolErrors.Refusal;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's API and its hot path. A borrow is one pass over the servers in turn ({@link Balancer}) that
 * claims an idle entry by CAS, or reserves room and dials in the caller's thread ({@link Connector}); when
 * nothing can serve, the caller parks in the {@link WaitQueue} and looks again when a release, a dial, a
 * change of server state or the clock wakes it. Everything else lives beside it: server state in
 * {@link ServerHealth}, the list in {@link ServerSet}, idle upkeep in {@link Housekeeper}, texts in
 * {@link PoolErrors}. Changes of server state are applied in one place, {@link #apply}.
 */
final class DefaultConnPool implements ConnPool {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    /** Longer than anyone waits (about 73 years), and far enough from overflow to add to nanoTime(). */
    private static final long FOREVER_NANOS = Long.MAX_VALUE / 4;

    final PoolConfig config;
    final ServerSet servers = new ServerSet();
    private final String name;
    private final ListenerChain listeners;
    private final ConnectionBudget budget;
    private final Ticker ticker;
    private final PoolScheduler scheduler;
    private final Balancer balancer;
    private final Connector connector;
    final Housekeeper housekeeper;
    private final PoolErrors errors;
    private final WaitQueue waiters;
    private final long acquireTimeoutNanos;
    private final long validationIntervalNanos;
    private final long leakThresholdNanos;
    private final PoolCounters counters = new PoolCounters();
    private final HealthEffects effects;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean closed;
    private final Drain drain;
    private final ClientTemplate template;
    private final BudgetShare share;
    final ServerChanges changes;

    DefaultConnPool(PoolConfig config) {
        this.config = config;
        this.name = config.name();
        this.listeners = new ListenerChain(config.listeners());
        this.budget = config.budget();
        this.ticker = config.ticker();
        this.balancer = config.balancer();
        this.acquireTimeoutNanos = config.acquireTimeout().toNanos();
        this.validationIntervalNanos = config.validationInterval().toNanos();
        this.leakThresholdNanos = config.leakDetectionThreshold().toNanos();
        this.waiters = new WaitQueue(ticker, config.beforePark());
        this.errors = new PoolErrors(this, config);
        this.scheduler = config.schedulers().create(name);
        long readTimeout = config.readTimeout().toNanos();
        this.connector = new Connector(this, config,
                new SocketOpener(config.dialer(), Duration.ZERO, listeners, ticker), scheduler,
                readTimeout > 0 ? new ReadDeadlines(servers, scheduler, ticker, readTimeout) : null, listeners, errors);
        this.housekeeper = new Housekeeper(this, config, connector);
        this.effects = new HealthEffects(this, servers, listeners, connector, waiters);
        this.drain = new Drain(servers, ticker);
        this.template = new ClientTemplate(this, listeners);
        this.share = new BudgetShare(this, servers);
        this.changes = new ServerChanges(this, config, servers, effects, connector, listeners, waiters, scheduler);
        if (budget != null) {
            budget.register(share);
        }
        housekeeper.start(scheduler, ticker);
        changes.feed.start(); // the first list is applied (and warmed up) before the pool is handed out, if any
        log.info("Pool '{}' started: servers from {}, {} connections per server at most, {} kept idle", name,
                changes.feed.describe(), config.maxConnectionsPerServer(), config.minIdlePerServer());
    }


    // The handle is made here, in methods small enough to inline into the caller, so that escape analysis
    // can scalar-replace it: borrowing then allocates nothing.

    @Override
    public PooledConnection acquire() throws ConnPoolException, InterruptedIOException {
        PoolEntry entry = borrow(acquireTimeoutNanos, true, validationIntervalNanos);
        return new PooledConnectionHandle(this, entry, entry.borrow());
    }

    /**
     * Like {@link #acquire()}, but an idle connection is checked however briefly it was idle: for the retry of
     * {@link #executeIdempotent}, which must not land on another connection the server closed meanwhile.
     */
    PooledConnectionHandle acquireChecked() throws ConnPoolException, InterruptedIOException {
        PoolEntry entry = borrow(acquireTimeoutNanos, true, 0);
        return new PooledConnectionHandle(this, entry, entry.borrow());
    }

    @Override
    public PooledConnection acquire(Duration timeout) throws ConnPoolException, InterruptedIOException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("acquire timeout must not be negative, was " + timeout);
        }
        long nanos = timeout.compareTo(Duration.ofNanos(FOREVER_NANOS)) >= 0 ? FOREVER_NANOS : timeout.toNanos();
        PoolEntry entry = borrow(nanos, true, validationIntervalNanos);
        return new PooledConnectionHandle(this, entry, entry.borrow());
    }

    @Override
    public PooledConnection tryAcquire() throws ConnPoolException {
        try {
            PoolEntry entry = borrow(0, false, validationIntervalNanos);
            return new PooledConnectionHandle(this, entry, entry.borrow());
        }
        catch (InterruptedIOException ex) {
            // tryAcquire does not wait, so only a dial can see the interrupt; report it as the dial's failure
            throw new ConnectionUnavailableException("Dial from pool '" + name + "' was interrupted", ex);
        }
    }

    @Override
    public <T> T execute(ConnectionCallback<T> callback) throws IOException {
        return template.execute(callback);
    }

    @Override
    public <T> T executeIdempotent(ConnectionCallback<T> callback) throws IOException {
        return template.executeIdempotent(callback);
    }

    /** {@code validateAfter}: how long a connection may have been idle before it is checked on borrow. */
    private PoolEntry borrow(long timeoutNanos, boolean wait, long validateAfter)
            throws ConnPoolException, InterruptedIOException {
        long start = ticker.nanoTime();
        Object found = pass(start, wait ? start + timeoutNanos : 0, null, validateAfter);
        if (found instanceof PoolEntry entry) {
            // no second clock read unless the caller dialed, and then the dial read it already
            return lease(entry, start, entry.origin == PoolEntry.DIALED ? entry.createdNanos : start);
        }
        if (!wait) {
            throw closed ? errors.closed() : errors.refused((Refusal) found);
        }
        return await(start, start + timeoutNanos, (Refusal) found, validateAfter);
    }

    /** The slow path: queue up, then look again each time a release, a dial or the clock wakes us. */
    private PoolEntry await(long start, long deadline, Refusal firstRefusal, long validateAfter)
            throws ConnPoolException, InterruptedIOException {
        Refusal refusal = firstRefusal;
        // Registered before the next pass: a release between the first pass and now is not missed.
        WaitQueue.Waiter waiter = waiters.enqueue(start);
        ConnectionBudget.Claim claim = null;
        try {
            while (true) {
                PoolEntry given = waiters.takeGiven(waiter);
                if (given != null) {
                    given.origin = PoolEntry.REUSED;
                    return lease(given, start, ticker.nanoTime()); // handed over by a release: we waited long
                }
                errors.hopeless(refusal, deadline, closed);
                if (Thread.interrupted()) {
                    throw errors.interrupted(start);
                }
                if (refusal == Refusal.BUDGET_FULL && (claim == null || claim.isSpent())) {
                    claim = budget.claim(share); // the next freed place is handed to us, not to whoever is quicker
                }
                waiters.aboutToLook(waiter);
                Object found = pass(ticker.nanoTime(), deadline, claim, validateAfter);
                if (found instanceof PoolEntry entry) {
                    return lease(entry, start, entry.origin == PoolEntry.DIALED ? entry.createdNanos : ticker.nanoTime());
                }
                refusal = (Refusal) found;
                errors.hopeless(refusal, deadline, closed);
                long now = ticker.nanoTime();
                long remaining = deadline - now;
                if (remaining <= 0) {
                    counters.timedOut();
                    listeners.acquireTimedOut(now - start);
                    throw errors.timedOut(refusal, now - start);
                }
                if (refusal == Refusal.RATE_LIMITED) {
                    remaining = Math.min(remaining, Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                            servers.nanosToPermit(now)));
                }
                if (now - waiter.sinceNanos >= WaitQueue.STARVING_NANOS) {
                    waiters.starve(waiter);
                }
                waiters.park(waiter, remaining);
            }
        }
        finally {
            PoolEntry late = waiters.leave(waiter);
            if (late != null) {
                offerIdle(late); // handed to us as we left: the next caller's
            }
            if (claim != null) {
                budget.cancel(claim);
            }
        }
    }

    /**
     * One pass over the servers in turn, from the one the balancer picks: the first that takes borrows, has
     * a permit and has an idle connection or room to dial. Returns a {@link PoolEntry} the caller owns, or a
     * {@link Refusal}.
     */
    private Object pass(long now, long deadline, ConnectionBudget.Claim claim, long validateAfter)
            throws InterruptedIOException {
        ServerPool[] turns = servers.turns();
        int n = turns.length;
        if (n == 0) {
            return closed ? Refusal.CLOSED : servers.isEmpty() ? Refusal.NO_SERVERS : Refusal.ALL_DOWN;
        }
        int first = balancer.first(turns);
        int down = 0;
        int seen = 0; // the refusals met, as bits of their ordinals
        for (int i = 0; i < n; i++) {
            ServerPool server = turns[first + i < n ? first + i : first + i - n];
            ServerHealth.Snapshot health = server.health.current();
            Object served;
            if (health.admitsCallers()) {
                PoolEntry idle = takeIdle(server, health, now, validateAfter);
                if (idle != null && server.tryPermit(idle, now)) {
                    return idle; // the common case
                }
                served = idle != null ? unpermitted(server, idle) : connector.dialFor(server, now, deadline, claim);
                if (served instanceof PoolEntry dialed) {
                    return dialed;
                }
            }
            else if (!health.takesBorrows()) {
                down++; // went down since the turns were built
                continue;
            }
            else if (server.health.trialHeldByCurrentThread()) {
                served = serve(server, health, now, deadline, claim, validateAfter); // a second borrow of the trial's
                if (served instanceof PoolEntry second) {                           // own caller
                    return second;
                }
            }
            else if (!server.health.tryStartTrial()) {
                continue; // on probation, and its one trial borrow is out
            }
            else {
                served = serve(server, health, now, deadline, claim, validateAfter);
                if (served instanceof PoolEntry trial) {
                    trial.trial = true;
                    return trial;
                }
                server.health.endTrial();
            }
            if (served == Refusal.CLOSED) {
                return served;
            }
            if (served == Refusal.ALL_DOWN) {
                down++;
            }
            else if (served != null) {
                seen |= 1 << ((Refusal) served).ordinal();
            }
        }
        return down == n ? Refusal.ALL_DOWN : PoolErrors.mostTelling(seen);
    }

    /** An idle connection of the server with a permit, else a dial; the entry, or why not (null: no room). */
    private Object serve(ServerPool server, ServerHealth.Snapshot health, long now, long deadline,
            ConnectionBudget.Claim claim, long validateAfter) throws InterruptedIOException {
        PoolEntry entry = takeIdle(server, health, now, validateAfter);
        if (entry != null) {
            return server.tryPermit(entry, now) ? entry : unpermitted(server, entry);
        }
        return connector.dialFor(server, now, deadline, claim);
    }

    Refusal unpermitted(ServerPool server, PoolEntry idle) {
        offerIdle(idle);
        listeners.rateLimited(server.address);
        return Refusal.RATE_LIMITED;
    }

    /** Claims an idle connection of the server that is fit to hand out, closing unfit ones on the way. */
    private PoolEntry takeIdle(ServerPool server, ServerHealth.Snapshot health, long now, long validateAfter) {
        PoolEntry entry;
        while ((entry = server.claimIdle()) != null) {
            if (entry.generation != health.generation()) {
                retire(entry, PoolEntry.IN_USE, CloseReason.SERVER_DOWN); // went idle as its server went down
            }
            else if (entry.evictOnReturn) {
                retire(entry, PoolEntry.IN_USE, CloseReason.EVICTED);
            }
            else if (entry.expired(now)) {
                retire(entry, PoolEntry.IN_USE, CloseReason.MAX_LIFETIME);
            }
            else if (now - entry.lastUsedNanos() < validateAfter) {
                entry.origin = PoolEntry.REUSED;
                return entry;
            }
            else if (LivenessCheck.fitToLend(entry, config.validator(), name)) {
                entry.origin = PoolEntry.VALIDATED;
                return entry;
            }
            else {
                retire(entry, PoolEntry.IN_USE, CloseReason.VALIDATION_FAILED);
            }
        }
        return null;
    }

    /** Prepares an entry the caller owns for its borrower. */
    private PoolEntry lease(PoolEntry entry, long startNanos, long nowNanos) {
        entry.startBorrow(nowNanos);
        if (leakThresholdNanos > 0) {
            entry.leakReport = LeakReport.start(name, entry.server.address, leakThresholdNanos, scheduler);
        }
        balancer.leased(entry.server);
        listeners.acquired(entry.server.address, nowNanos - startNanos);
        return entry;
    }

    /**
     * Ends borrow {@code stamp} of the entry with one CAS, to idle or, if it must not be reused, to removed.
     * A second close, a stale handle or a close racing a force-close finds the borrow ended and does nothing.
     */
    void release(PoolEntry entry, long stamp) {
        if (entry.borrow() != stamp) {
            return; // closed already: the common misuse, answered without a clock read
        }
        // Callers it may go to, read once: one queued since has not waited long enough to matter. Nobody needs
        // the time of a plain return: a connection's last use is when its borrow started, which errs towards
        // checking it sooner, and the housekeeper counts idleness from when it saw the return.
        boolean waiting = waiters.size() > 0;
        long now = waiting || listeners.any() || balancer.timesBorrows() ? ticker.nanoTime() : entry.borrowedNanos;
        ServerHealth.Snapshot health = entry.server.health.current();
        if (entry.brokenBy == null && !entry.invalidated && health.quiet() && entry.generation == health.generation()
                && !entry.trial && !entry.evictOnReturn && !closed && !entry.expired(now)
                && (budget == null || !budget.wantsPlaceFrom(share))) {
            end(entry, stamp, now, null, health, waiting); // the common case: back to idle, nothing to judge
        }
        else {
            judgeAndEnd(entry, stamp, now, health, waiting); // apart, so that the JIT inlines this method into close()
        }
    }

    private void judgeAndEnd(PoolEntry entry, long stamp, long now, ServerHealth.Snapshot health, boolean waiting) {
        ServerPool server = entry.server;
        Throwable broken = entry.brokenBy;
        boolean current = health.keeps(entry.generation);
        CloseReason reason = broken != null ? CloseReason.BROKEN
                : entry.invalidated ? CloseReason.INVALIDATED
                : closed ? CloseReason.POOL_CLOSED
                : !current ? health.outOfService()
                : entry.evictOnReturn ? CloseReason.EVICTED
                : entry.expired(now) ? CloseReason.MAX_LIFETIME
                : budget != null && budget.wantsPlaceFrom(share) ? CloseReason.BUDGET
                : null;
        if (entry.trial || broken != null || health.wantsHealthyReturns()) {
            // before the close frees room, so that nobody dials a server being ejected
            effects.judge(server, entry, broken, current && reason != CloseReason.INVALIDATED);
        }
        end(entry, stamp, now, reason, health, waiting);
    }

    /**
     * Ends the borrow: to idle when there is no {@code reason} to close it, else closed for it; {@code waiting}:
     * callers waited as the return began (then {@code now} is the clock's, else the borrow's start).
     */
    private void end(PoolEntry entry, long stamp, long now, CloseReason reason, ServerHealth.Snapshot health,
            boolean waiting) {
        LeakReport leak = entry.leakReport;
        long usage = now - entry.borrowedNanos;
        // not for a limited server, whose permit is the waiter's to take
        boolean forWaiters = reason == null && waiting && entry.server.rateLimiter == null;
        // a caller that waited long gets it straight from our hands: ending the borrow keeps it borrowed
        boolean handOff = forWaiters && waiters.hasStarving();
        if (reason == null) {
            entry.touch(now);
            entry.server.returnedByCurrentThread(entry);
        }
        if (!entry.endBorrow(stamp, reason != null ? PoolEntry.REMOVED : handOff ? PoolEntry.IN_USE : PoolEntry.IDLE)) {
            return;
        }
        if (leak != null) {
            entry.leakReport = null;
            leak.returned();
        }
        balancer.released(entry.server, usage);
        listeners.released(entry.server.address, usage);
        if (reason != null) {
            destroy(entry, reason);
        }
        else if (handOff) {
            if (!waiters.handOff(entry)) {
                offerIdle(entry); // it left meanwhile
            }
        }
        else {
            becameIdle(entry, health);
            if (forWaiters && health.admitsCallers()) {
                waiters.giveWay(entry, stamp + 1, now); // a waiter can take it: let it, before we borrow again
            }
        }
    }

    /** Gives back an entry the caller owns but did not lease (fresh from a background dial, or unpermitted). */
    void offerIdle(PoolEntry entry) {
        if (entry.transition(PoolEntry.IN_USE, PoolEntry.IDLE)) {
            becameIdle(entry, null); // its server may have gone down before it went idle: nobody closes it later
        }
    }

    /** A dial that came to nothing gave its room back: a close waiting for the last socket may be done. */
    void dialAbandoned() {
        if (closed && drain.signal()) {
            scheduler.shutdown();
        }
    }

    /** {@code before}: the server's health as read before the entry went idle, null if it was not read. */
    private void becameIdle(PoolEntry entry, ServerHealth.Snapshot before) {
        ServerHealth.Snapshot now = entry.server.health.current();
        if (now != before && !now.keeps(entry.generation) && entry.reserveIdle()) {
            // its server went down or was removed (or the pool closed) meanwhile: whoever closed its idle
            // connections may have passed this one while it was still borrowed
            retire(entry, PoolEntry.RESERVED, now.outOfService());
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
    void retire(PoolEntry entry, int owned, CloseReason reason) {
        if (entry.transition(owned, PoolEntry.REMOVED)) {
            destroy(entry, reason);
        }
    }

    private void destroy(PoolEntry entry, CloseReason reason) {
        ServerPool server = entry.server;
        entry.closeSocket();
        counters.retired(entry);
        server.uninstall(entry);
        log.debug("Pool '{}' closed {}: {}", name, entry, reason);
        listeners.connectionClosed(server.address, reason);
        if (budget != null) {
            budget.release();
        }
        if (closed) {
            if (drain.signal()) {
                scheduler.shutdown();
            }
        }
        else {
            waiters.wakeOne(); // there is room to dial now
            connector.requestRefill(server);
        }
    }

    void created() {
        counters.created();
    }


    /** Applies a change of a server's state; see {@link HealthEffects}. */
    void apply(ServerPool server, ServerHealth.Transition change) {
        effects.apply(server, change);
    }


    @Override
    public boolean addServer(ServerAddress address) {
        return changes.add(Objects.requireNonNull(address, "server"));
    }

    @Override
    public boolean removeServer(ServerAddress address) {
        return changes.remove(Objects.requireNonNull(address, "server"));
    }

    @Override
    public void changeMaxRps(int maxRps) {
        changes.changeMaxRps(maxRps);
    }

    @Override
    public void softEvict() {
        housekeeper.softEvict(servers.all());
    }

    @Override
    public void softEvict(ServerAddress address) {
        ServerPool server = servers.find(Objects.requireNonNull(address, "server"));
        if (server != null) {
            housekeeper.softEvict(server);
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


    @Override
    public List<ServerStatus> servers() {
        return servers.statuses();
    }

    @Override
    public Optional<ServerStatus> server(ServerAddress address) {
        ServerPool server = servers.find(address);
        return server == null ? Optional.empty() : Optional.of(server.status());
    }

    @Override
    public Optional<RateLimiter> rateLimiter(ServerAddress address) {
        ServerPool server = servers.find(address);
        return server == null ? Optional.empty() : Optional.ofNullable(server.rateLimiter);
    }

    @Override
    public PoolStats stats() {
        return counters.stats(servers, waiters.size(), config.maxConnectionsPerServer());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }


    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        changes.feed.close();
        housekeeper.stop(); // the read deadlines go on until the borrowed connections are back
        waiters.wakeAll();
        for (ServerPool server : servers.all()) {
            changes.retire(server);
        }
        servers.refreshTurns();
        if (budget != null) {
            budget.unregister(share);
        }
        int borrowed = servers.openConnections();
        if (borrowed == 0) {
            scheduler.shutdown();
        }
        log.info("Pool '{}' closed{}", name,
                borrowed == 0 ? "" : "; " + borrowed + " borrowed connection(s) close when returned");
    }

    @Override
    public boolean close(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        close();
        boolean drained = drain.awaitOrForceClose(this, grace);
        scheduler.shutdown();
        return drained;
    }

    void destroyForced(PoolEntry entry) {
        destroy(entry, CloseReason.POOL_CLOSED);
    }

    @Override
    public String toString() {
        PoolStats stats = stats();
        return "ConnPool[" + name + ", active=" + stats.active() + ", idle=" + stats.idle() + ", waiting="
                + stats.pending() + ", max=" + stats.max() + (closed ? ", closed]" : "]");
    }
}
