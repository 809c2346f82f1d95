package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes to a pool's list of servers and what follows from them: a new server gets its state machine and
 * starts warming up, a removed one takes no new borrow, its idle connections close now and its borrowed
 * ones when they come back. One place, whoever asks for the change.
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

    ServerChanges(DefaultConnPool pool, PoolConfig config, ServerSet servers, HealthEffects effects,
            Connector connector, ListenerChain listeners, WaitQueue waiters) {
        this.pool = pool;
        this.config = config;
        this.servers = servers;
        this.effects = effects;
        this.connector = connector;
        this.listeners = listeners;
        this.waiters = waiters;
    }

    ServerPool newServer(ServerAddress address) {
        return new ServerPool(address, address.toString(),
                new ServerHealth(config.backoff(), config.ejectAfterFailures(), config.ticker()),
                config.maxConnectionsPerServer(), config.maxRps(), config.name(), config.ticker());
    }

    boolean add(ServerAddress address) {
        if (pool.isClosed()) {
            throw new IllegalStateException("Pool '" + config.name() + "' is closed; cannot add server " + address);
        }
        ServerPool added = servers.add(address, this::newServer);
        if (added == null) {
            return false;
        }
        log.info("Server {} added to pool '{}'", address, config.name());
        listeners.serverAdded(address);
        connector.requestRefill(added);
        waiters.wakeAll();
        return true;
    }

    boolean remove(ServerAddress address) {
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

    /** A server out of the list, or of a closed pool: removed first, so a borrow returned from now on closes. */
    void retire(ServerPool server) {
        server.health.remove();
        effects.closeIdle(server, CloseReason.SERVER_REMOVED);
    }
}
