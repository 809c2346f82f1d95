package io.connpool;

import java.time.Duration;
import java.util.List;

/**
 * The validated, immutable options of one pool, and the seams tests replace ({@code ticker},
 * {@code hostResolver}, {@code schedulers}, {@code beforePark}: see {@link Ticker}, {@link HostResolver},
 * {@link PoolScheduler}, {@link WaitQueue}).
 */
record PoolConfig(
        String name,
        List<ServerAddress> servers,
        ServerSource serverSource,
        Duration dnsRefreshInterval,
        Duration dialTimeout,
        Duration readTimeout,
        Duration retryMin,
        Duration retryMax,
        int maxRps,
        int maxConnectionsPerServer,
        int minIdlePerServer,
        Duration acquireTimeout,
        Duration idleTimeout,
        Duration maxLifetime,
        Duration validationInterval,
        Duration leakDetectionThreshold,
        int ejectAfterFailures,
        Dialer dialer,
        Backoff backoff,
        ConnectionValidator validator,
        List<ConnPoolListener> listeners,
        ConnectionBudget budget,
        Balancer balancer,
        Ticker ticker,
        HostResolver hostResolver,
        PoolScheduler.Factory schedulers,
        Runnable beforePark) {
}
