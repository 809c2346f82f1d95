package io.connpool;

/**
 * Counters and gauges of a whole pool, summed over its servers.
 *
 * <p>The gauges are read without locks and are each exact, but not taken at one instant together; the
 * counters only grow. Once the pool is quiet, {@code acquired == released + active}.
 *
 * @param active connections borrowed now
 * @param idle open connections waiting in the pool
 * @param pending callers waiting in {@code acquire} now
 * @param max the most connections the pool may open ({@code maxConnectionsPerServer} × servers)
 * @param acquired connections handed out since start
 * @param released connections given back since start (returned or invalidated)
 * @param timeouts acquires that gave up at their timeout
 * @param created connections opened since start
 * @param closed connections closed since start
 */
public record PoolStats(
        int active,
        int idle,
        int pending,
        int max,
        long acquired,
        long released,
        long timeouts,
        long created,
        long closed) {

    /**
     * Returns {@code active + idle}: the connections open now.
     *
     * @return the connections open now
     */
    public int total() {
        return active + idle;
    }
}
