package io.connpool;

import java.time.Duration;
import java.util.List;

/** The validated, immutable options of one pool. */
record PoolConfig(
        String name,
        List<ServerAddress> servers,
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
        ConnectionBudget budget) {
}
