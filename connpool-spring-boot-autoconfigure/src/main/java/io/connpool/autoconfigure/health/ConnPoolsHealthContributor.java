package io.connpool.autoconfigure.health;

import io.connpool.ConnPool;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import io.connpool.autoconfigure.ConnPools;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * {@code connPool}: a composite per pool, holding one indicator per server keyed by its address
 * ({@code host:port}, a resolved {@code ip:port} for a DNS name; no {@code /}), with its {@code source} (the
 * configured entry or the discovery service id) and, while its source cannot refresh it, {@code sourceError}. The
 * servers are read from {@link ConnPool#servers()} at every call (memory only, never the network), so
 * servers added or removed at run time show up at once.
 *
 * <p>Aggregation: a pool with at least one {@code UP} server is {@code UP}. Boot aggregates a composite
 * with the health group's status order, in which one {@code DOWN} child makes the parent {@code DOWN};
 * so a {@code DOWN} server whose pool still serves from another server reports {@link #BYPASSED}, a
 * status outside that order that does not pull the pool down (its {@code state} detail stays
 * {@code DOWN}). When no server of the pool is up, its {@code DOWN} servers report {@code DOWN} and the
 * pool is {@code DOWN}. A server on {@code PROBATION} (it answered its probe and serves one trial borrow at a
 * time) reports {@code UP}, its {@code state} detail saying {@code PROBATION}. A server never dialed yet is
 * {@code UNKNOWN}. A closed pool (the context is stopped
 * or closing) is one indicator, {@code OUT_OF_SERVICE}, rather than a composite of its servers.
 */
final class ConnPoolsHealthContributor implements CompositeHealthContributor {

    /** A server that is down while its pool serves from its other servers. */
    static final Status BYPASSED = new Status("BYPASSED",
            "Server is down; the pool serves from its other servers and probes it in the background");

    private final ConnPools pools;

    ConnPoolsHealthContributor(ConnPools pools) {
        this.pools = pools;
    }

    @Override
    public HealthContributor getContributor(String name) {
        ConnPool pool = pools.asMap().get(name);
        return pool != null ? contributor(pool) : null;
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
        return pools.asMap().values().stream().map(pool -> new HealthContributors.Entry(pool.name(), contributor(pool)));
    }

    private static HealthContributor contributor(ConnPool pool) {
        if (pool.isClosed()) {
            return (HealthIndicator) () -> Health.outOfService().withDetail("closed", true)
                    .withDetail("reason", "Pool '" + pool.name() + "' is closed: the application context is stopped"
                            + " or closing; acquires fail with PoolClosedException until the context starts again")
                    .build();
        }
        return new PoolContributor(pool);
    }

    /** One pool; each call reads the current servers. */
    static final class PoolContributor implements CompositeHealthContributor {

        private final ConnPool pool;

        PoolContributor(ConnPool pool) {
            this.pool = pool;
        }

        @Override
        public HealthContributor getContributor(String name) {
            List<ServerStatus> servers = pool.servers();
            return servers.stream()
                    .filter(server -> server.address().toString().equals(name))
                    .findFirst()
                    .map(server -> (HealthContributor) new ServerIndicator(server, serving(servers)))
                    .orElse(null);
        }

        @Override
        public Stream<HealthContributors.Entry> stream() {
            // One snapshot for all servers, so that the pool's status is computed from a single instant.
            List<ServerStatus> servers = pool.servers();
            boolean serving = serving(servers);
            return servers.stream().map(server -> new HealthContributors.Entry(server.address().toString(),
                    new ServerIndicator(server, serving)));
        }

        /** Whether any server of the snapshot serves: a down one is then bypassed, not down. */
        private static boolean serving(List<ServerStatus> servers) {
            return servers.stream().anyMatch(server -> server.state() == ServerState.UP
                    || server.state() == ServerState.PROBATION);
        }
    }

    /** One server, as seen in a snapshot of its pool. */
    static final class ServerIndicator implements HealthIndicator {

        private final ServerStatus server;
        /** Whether another server of the same snapshot serves. */
        private final boolean poolServing;

        ServerIndicator(ServerStatus server, boolean poolServing) {
            this.server = server;
            this.poolServing = poolServing;
        }

        @Override
        public Health health() {
            Health.Builder health = Health.status(status())
                    .withDetail("address", server.address().toString())
                    .withDetail("source", server.source())
                    .withDetail("state", server.state().name())
                    .withDetail("active", server.active())
                    .withDetail("idle", server.idle())
                    .withDetail("consecutiveFailures", server.consecutiveFailures());
            if (server.lastError() != null) {
                health.withDetail("lastError", server.lastError());
            }
            if (server.lastErrorAt() != null) {
                health.withDetail("lastErrorAt", server.lastErrorAt().toString());
            }
            if (server.nextRetry() != null) {
                health.withDetail("nextRetry", server.nextRetry().toString());
            }
            if (server.sourceError() != null) {
                health.withDetail("sourceError", server.sourceError());
            }
            return health.build();
        }

        private Status status() {
            return switch (server.state()) {
                // on probation it answered its probe: reachable, serving one trial borrow at a time until one
                // comes back healthy (an idle pool may stay there a while, which is no reason to report DOWN)
                case UP, PROBATION -> Status.UP;
                case UNKNOWN, REMOVED -> Status.UNKNOWN;
                case DOWN -> poolServing ? BYPASSED : Status.DOWN;
            };
        }
    }
}
