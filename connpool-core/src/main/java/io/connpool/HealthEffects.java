package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a change of a server's state does to the pool, in one place: the log line, the listeners, the
 * turns, the idle connections of a server that went down, its probe, the refill of one that came back,
 * and waking the callers who wait (to fail over, fail fast, or take the server that is back). Also turns
 * a returned borrow into the event its server's {@link ServerHealth} judges.
 */
final class HealthEffects {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final DefaultConnPool pool;
    private final ServerSet servers;
    private final ListenerChain listeners;
    private final Connector connector;
    private final WaitQueue waiters;

    HealthEffects(DefaultConnPool pool, ServerSet servers, ListenerChain listeners, Connector connector,
            WaitQueue waiters) {
        this.pool = pool;
        this.servers = servers;
        this.listeners = listeners;
        this.connector = connector;
        this.waiters = waiters;
    }

    void apply(ServerPool server, ServerHealth.Transition change) {
        if (change == null) {
            return;
        }
        servers.refreshTurns();
        ServerAddress address = server.address;
        String name = pool.name();
        ServerHealth.Snapshot after = change.after();
        switch (change.to()) {
            case DOWN -> {
                long retryMillis = TimeUnit.NANOSECONDS.toMillis(change.retryInNanos());
                if (change.from() != ServerState.DOWN) {
                    log.warn("Server {} of pool '{}' is DOWN: {}; retrying in {} ms", address, name,
                            change.cause().description(), retryMillis);
                    listeners.serverDown(address, change.cause().error(), change.retryInNanos());
                    closeIdle(server, CloseReason.SERVER_DOWN);
                }
                else {
                    log.debug("Server {} of pool '{}' still down after attempt {}: {}; next retry in {} ms", address,
                            name, after.step(), change.cause().description(), retryMillis);
                }
                connector.scheduleProbe(server, after.epoch(), change.retryInNanos());
            }
            case PROBATION -> log.info("Server {} of pool '{}' answered its probe: on probation until one borrowed"
                    + " connection comes back healthy", address, name);
            case UP -> {
                if (change.from() == ServerState.PROBATION) {
                    log.info("Server {} of pool '{}' is back UP after {} failed attempt(s)", address, name,
                            change.before().step());
                }
                else {
                    log.debug("Server {} of pool '{}' is UP", address, name);
                }
                listeners.serverUp(address);
                connector.requestRefill(server);
            }
            default -> {
                // REMOVED: whoever removed it closes its connections
            }
        }
        waiters.wakeAll();
    }

    /**
     * What a returned borrow says about its server: a failure (not the borrower's own interrupt), a healthy
     * use ({@code healthy}: neither invalidated nor from before an outage), or nothing. Called while the
     * borrower still owns the entry, before its close frees room, so that nobody dials a server being ejected.
     */
    void judge(ServerPool server, PoolEntry entry, Throwable broken, boolean healthy) {
        ServerHealth.Transition change = null;
        if (broken != null && !SocketOpener.interrupted(broken)) {
            change = server.health.connectionFailed(entry.generation, broken);
        }
        else if (broken == null && healthy) {
            change = server.health.connectionHealthy(entry.generation);
        }
        if (entry.trial) {
            entry.trial = false;
            server.health.endTrial(); // no verdict (interrupted, invalidated): another caller may try
        }
        apply(server, change);
    }

    void closeIdle(ServerPool server, CloseReason reason) {
        for (int i = 0; i < server.slots.length(); i++) {
            PoolEntry entry = server.slots.get(i);
            if (entry != null && entry.reserveIdle()) {
                pool.retire(entry, PoolEntry.RESERVED, reason);
            }
        }
    }
}
