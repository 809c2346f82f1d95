package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to a pool's list of servers and what follows from them: a new server gets its state machine and
 * starts warming up, a removed one takes no new borrow, its idle connections close now and its borrowed
 * ones when they come back. One place, whoever asks for the change: {@code addServer}/{@code removeServer},
 * or a list published by the pool's source ({@link ServerFeed}), applied as one diff. Servers added by hand
 * stay when the source publishes; the source's list decides the rest. Also holds the per-server rate limit,
 * which may change at run time.
 */
final class ServerChanges {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final DefaultConnPool pool;
    private final PoolConfig config;
    private final ServerSet servers;
    private final HealthEffects effects;
    private final Connector connector;
    private final ListenerChain listeners;
    private final WaitQueue waiters;
    /** Serializes changes, so that listeners hear of them in the order they were applied. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: servers added with addServer, kept whatever the source publishes. */
    private final Set<ServerAddress> addedByHand = new LinkedHashSet<>();
    private volatile int maxRps;
    /**
     * Whether the pool's constructor has applied its first list: listeners are told of servers added after that,
     * as before; the first ones they read from {@link ConnPool#servers()} (a listener reacting to an event from a
     * pool still being built could reach back into it).
     */
    private volatile boolean announcing;
    /** Where the lists come from; started and closed by the pool. */
    final ServerFeed feed;

    ServerChanges(DefaultConnPool pool, PoolConfig config, ServerSet servers, HealthEffects effects,
            Connector connector, ListenerChain listeners, WaitQueue waiters, PoolScheduler scheduler) {
        this.pool = pool;
        this.config = config;
        this.servers = servers;
        this.effects = effects;
        this.connector = connector;
        this.listeners = listeners;
        this.waiters = waiters;
        this.maxRps = config.maxRps();
        this.feed = new ServerFeed(config, this, scheduler);
    }

    /** Called under {@link #lock} (through {@link ServerSet}), so that it sees the current rate limit. */
    private ServerPool newServer(ServerOrigin origin) {
        return new ServerPool(origin, new ServerHealth(config.backoff(), config.ejectAfterFailures(), config.ticker()),
                config.maxConnectionsPerServer(), maxRps, config.name(), config.ticker());
    }

    /** The first list is in (or the source has not published one): from now on listeners hear of changes. */
    void announceFromNow() {
        lock.lock();
        try {
            announcing = true;
        }
        finally {
            lock.unlock();
        }
    }

    int count() {
        return servers.all().length;
    }

    int maxRps() {
        return maxRps;
    }

    /**
     * Makes {@code published} (plus the servers added by hand) the list, in one step for borrowers; logs once
     * what was added and removed. {@code from} says what published it.
     */
    void apply(List<ServerOrigin> published, String from) {
        lock.lock();
        try {
            if (pool.isClosed()) {
                return;
            }
            Map<ServerAddress, ServerOrigin> target = new LinkedHashMap<>();
            for (ServerOrigin origin : published) {
                target.putIfAbsent(origin.address(), origin);
            }
            for (ServerAddress address : addedByHand) {
                target.putIfAbsent(address, ServerOrigin.of(address, ServerOrigin.Problem.NONE));
            }
            ServerSet.Change change = servers.replace(target.keySet(), address -> newServer(target.get(address)));
            if (change.isEmpty()) {
                return;
            }
            int borrowed = 0;
            for (ServerPool removed : change.removed()) {
                borrowed += removed.countIn(PoolEntry.IN_USE);
                retire(removed);
                if (announcing) {
                    listeners.serverRemoved(removed.address);
                }
            }
            for (ServerPool added : change.added()) {
                if (announcing) {
                    listeners.serverAdded(added.address);
                }
                connector.requestRefill(added);
            }
            waiters.wakeAll();
            log.info("Pool '{}': servers from {}: added {}, removed {}{}; {} server(s) now", config.name(), from,
                    addresses(change.added()), addresses(change.removed()),
                    borrowed == 0 ? "" : " (their " + borrowed + " borrowed connection(s) close when returned)",
                    servers.all().length);
        }
        finally {
            lock.unlock();
        }
    }

    boolean add(ServerAddress address) {
        if (pool.isClosed()) {
            throw new IllegalStateException("Pool '" + config.name() + "' is closed; cannot add server " + address);
        }
        lock.lock();
        try {
            ServerPool added = servers.add(address,
                    server -> newServer(ServerOrigin.of(server, ServerOrigin.Problem.NONE)));
            if (added == null) {
                return false;
            }
            addedByHand.add(address);
            log.info("Server {} added to pool '{}'", address, config.name());
            listeners.serverAdded(address);
            connector.requestRefill(added);
            waiters.wakeAll();
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    boolean remove(ServerAddress address) {
        lock.lock();
        try {
            addedByHand.remove(address);
            ServerPool removed = servers.remove(address);
            if (removed == null) {
                return false;
            }
            retire(removed);
            log.info("Server {} removed from pool '{}'; its {} borrowed connection(s) close when returned", address,
                    config.name(), removed.countIn(PoolEntry.IN_USE));
            listeners.serverRemoved(address);
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /** A server out of the list, or of a closed pool: removed first, so a borrow returned from now on closes. */
    void retire(ServerPool server) {
        server.health.remove();
        effects.closeIdle(server, CloseReason.SERVER_REMOVED);
    }

    /**
     * Sets the per-server rate limit of every server, and of those added later. Resilience4j applies a new limit
     * from the limiter's next period.
     */
    void changeMaxRps(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("maxRps of pool '" + config.name() + "' must be positive, was " + permits
                    + "; a pool built with a limit keeps one");
        }
        if (config.maxRps() == 0) {
            throw new IllegalStateException("Pool '" + config.name() + "' was built without a rate limit (maxRps 0),"
                    + " so it has no rate limiters to change; build it with a positive maxRps to change it later");
        }
        lock.lock();
        try {
            int before = maxRps;
            maxRps = permits;
            for (ServerPool server : servers.all()) {
                server.rateLimiter.changeLimitForPeriod(permits);
            }
            if (before != permits) {
                log.info("Pool '{}': maxRps changed from {} to {} per server", config.name(), before, permits);
            }
        }
        finally {
            lock.unlock();
        }
    }

    private static List<String> addresses(List<ServerPool> changed) {
        List<String> list = new ArrayList<>(changed.size());
        for (ServerPool server : changed) {
            String address = server.address.toString();
            list.add(server.source.equals(address) ? address : address + " (" + server.source + ")");
        }
        return list;
    }
}
