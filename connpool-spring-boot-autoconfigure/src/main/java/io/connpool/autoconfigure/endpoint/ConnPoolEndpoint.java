package io.connpool.autoconfigure.endpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerStatus;
import io.connpool.autoconfigure.ConnPools;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/connpool}: every pool with its stats and servers (read from memory, never the network);
 * {@code /actuator/connpool/{pool}}: one pool (404 if there is none of that name); a {@code POST} to it
 * soft-evicts the pool (every connection is replaced once) and returns it. Exposed only when the
 * application includes {@code connpool} in {@code management.endpoints.web.exposure.include}.
 */
@Endpoint(id = "connpool")
public class ConnPoolEndpoint {

    private final ConnPools pools;

    /**
     * Creates the endpoint.
     *
     * @param pools the pools it shows
     */
    public ConnPoolEndpoint(ConnPools pools) {
        this.pools = pools;
    }

    /**
     * Returns every pool.
     *
     * @return the pools by name
     */
    @ReadOperation
    public PoolsDescriptor pools() {
        Map<String, PoolDescriptor> all = new LinkedHashMap<>();
        pools.asMap().forEach((name, pool) -> all.put(name, PoolDescriptor.of(pool)));
        return new PoolsDescriptor(all);
    }

    /**
     * Returns one pool.
     *
     * @param pool the pool's name
     * @return the pool, or {@code null} (404) if there is none of that name
     */
    @ReadOperation
    public PoolDescriptor pool(@Selector String pool) {
        return pools.find(pool).map(PoolDescriptor::of).orElse(null);
    }

    /**
     * Soft-evicts one pool: idle connections close now, borrowed ones when returned; new ones are dialed as
     * needed.
     *
     * @param pool the pool's name
     * @return the pool after the evict, or 404 if there is none of that name
     */
    @WriteOperation
    public WebEndpointResponse<PoolDescriptor> softEvict(@Selector String pool) {
        return pools.find(pool).map(found -> {
            found.softEvict();
            return new WebEndpointResponse<>(PoolDescriptor.of(found));
        }).orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }

    /**
     * Every pool.
     *
     * @param pools the pools by name
     */
    public record PoolsDescriptor(Map<String, PoolDescriptor> pools) {
    }

    /**
     * One pool.
     *
     * @param name its name
     * @param closed whether it is closed (the context is stopped or closing)
     * @param stats its counters and gauges
     * @param servers its servers
     */
    public record PoolDescriptor(String name, boolean closed, StatsDescriptor stats, List<ServerDescriptor> servers) {

        static PoolDescriptor of(ConnPool pool) {
            PoolStats s = pool.stats();
            return new PoolDescriptor(pool.name(), pool.isClosed(),
                    new StatsDescriptor(s.active(), s.idle(), s.pending(), s.max(), s.acquired(), s.released(),
                            s.timeouts(), s.created(), s.closed()),
                    pool.servers().stream().map(ServerDescriptor::of).toList());
        }
    }

    /**
     * A pool's counters and gauges, as {@link PoolStats} has them.
     *
     * @param active connections borrowed now
     * @param idle open connections waiting in the pool
     * @param pending callers waiting in acquire now
     * @param max the most connections the pool may open
     * @param acquired connections handed out since start
     * @param released connections given back since start
     * @param timeouts acquires that gave up at their timeout
     * @param created connections opened since start
     * @param closed connections closed since start
     */
    public record StatsDescriptor(int active, int idle, int pending, int max, long acquired, long released,
            long timeouts, long created, long closed) {
    }

    /**
     * One server; every key is present, {@code null} when it has no value.
     *
     * @param address the address dialed, {@code host:port}
     * @param source where the server came from (the configured entry, a DNS name, a service id)
     * @param state {@code UNKNOWN}, {@code UP}, {@code DOWN}, {@code PROBATION} or {@code REMOVED}
     * @param active connections borrowed from it now
     * @param idle open connections to it waiting in the pool
     * @param consecutiveFailures failed dials or broken connections in a row
     * @param lastError the last failure, or {@code null}
     * @param lastErrorAt when it happened (ISO-8601), or {@code null}
     * @param nextRetry when the next probe dials (ISO-8601), or {@code null} unless down
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ServerDescriptor(String address, String source, String state, int active, int idle,
            int consecutiveFailures, String lastError, String lastErrorAt, String nextRetry) {

        static ServerDescriptor of(ServerStatus server) {
            return new ServerDescriptor(server.address().toString(), server.source(), server.state().name(),
                    server.active(), server.idle(), server.consecutiveFailures(), server.lastError(),
                    iso(server.lastErrorAt()), iso(server.nextRetry()));
        }

        private static String iso(Instant instant) {
            return instant != null ? instant.toString() : null;
        }
    }
}
