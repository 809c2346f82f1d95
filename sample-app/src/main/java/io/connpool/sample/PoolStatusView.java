package io.connpool.sample;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One pool as the status page shows it: its stats and a row per server, from {@link ConnPool#stats()} and one
 * {@link ConnPool#servers()} snapshot (memory only, never the network).
 *
 * <p>{@code status} is what the Boot health indicator reports for the same snapshot: a {@code DOWN} server
 * is {@code BYPASSED} while another server of its pool is {@code UP} or on {@code PROBATION} (which report
 * {@code UP}: a server on probation answered its probe and serves trial borrows), and {@code DOWN} when
 * none is; a server never dialed (or removed) is {@code UNKNOWN}. The pool is {@code UP} while one of its
 * servers is.
 *
 * @param name the pool's name
 * @param status {@code UP}, {@code DOWN} or {@code UNKNOWN}
 * @param active connections borrowed now
 * @param idle open connections waiting in the pool
 * @param pending callers waiting in {@code acquire}
 * @param max the most connections the pool may open
 * @param timeouts acquires that gave up at their timeout, since start
 * @param servers one row per server, in the pool's order
 */
public record PoolStatusView(String name, String status, int active, int idle, int pending, int max, long timeouts,
        List<ServerRow> servers) {

    /**
     * Reads one pool.
     *
     * @param pool the pool
     * @param demoServers the embedded demo servers by address ({@code host:port}), empty when there are none
     * @return its view
     */
    static PoolStatusView of(ConnPool pool, Map<String, DemoServersController.ServerView> demoServers) {
        PoolStats stats = pool.stats();
        List<ServerStatus> snapshot = pool.servers();
        boolean anyUp = snapshot.stream()
                .anyMatch(server -> server.state() == ServerState.UP || server.state() == ServerState.PROBATION);
        boolean anyDown = snapshot.stream().anyMatch(server -> server.state() == ServerState.DOWN);
        List<ServerRow> rows = snapshot.stream()
                .map(server -> ServerRow.of(server, anyUp, demoServers.get(server.address().toString()))).toList();
        return new PoolStatusView(pool.name(), anyUp ? "UP" : anyDown ? "DOWN" : "UNKNOWN", stats.active(),
                stats.idle(), stats.pending(), stats.max(), stats.timeouts(), rows);
    }

    /**
     * One server.
     *
     * @param address the address the pool dials
     * @param source the configured entry it came from
     * @param state the pool's state of it: {@code UNKNOWN}, {@code UP}, {@code DOWN}, {@code PROBATION} or
     *        {@code REMOVED}
     * @param status its health status: {@code UP}, {@code BYPASSED}, {@code DOWN} or {@code UNKNOWN}
     * @param active connections borrowed from it now
     * @param idle open connections to it waiting in the pool
     * @param consecutiveFailures failed dials or broken connections in a row
     * @param lastError the last failure, or {@code null}
     * @param lastErrorAt when it happened, or {@code null}
     * @param nextRetry when the background probe dials it again, or {@code null}
     * @param demo the embedded demo server at this address, or {@code null}
     */
    public record ServerRow(String address, String source, String state, String status, int active, int idle,
            int consecutiveFailures, String lastError, String lastErrorAt, String nextRetry,
            DemoServersController.ServerView demo) {

        static ServerRow of(ServerStatus server, boolean poolHasAnUpServer, DemoServersController.ServerView demo) {
            return new ServerRow(server.address().toString(), server.source(), server.state().name(),
                    status(server.state(), poolHasAnUpServer), server.active(), server.idle(),
                    server.consecutiveFailures(), server.lastError(), text(server.lastErrorAt()),
                    text(server.nextRetry()), demo);
        }

        /** As {@code ConnPoolsHealthContributor} reports it for the same snapshot. */
        static String status(ServerState state, boolean poolHasAnUpServer) {
            return switch (state) {
                // on probation it answered its probe and serves trial borrows: UP, its state column says why
                case UP, PROBATION -> "UP";
                case UNKNOWN, REMOVED -> "UNKNOWN";
                case DOWN -> poolHasAnUpServer ? "BYPASSED" : "DOWN";
            };
        }

        private static String text(Instant instant) {
            return instant != null ? instant.toString() : null;
        }
    }
}
