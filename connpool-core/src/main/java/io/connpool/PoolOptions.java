package io.connpool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The builder's mutable options, with their defaults; {@link #validated()} freezes them. */
final class PoolOptions {

    String name = "default";
    List<ServerAddress> servers = List.of();
    ServerSource serverSource;
    Duration dnsRefreshInterval = Duration.ofSeconds(30);
    Duration dialTimeout = Duration.ofSeconds(2);
    Duration readTimeout = Duration.ofSeconds(30);
    Duration retryMin = Duration.ofSeconds(1);
    Duration retryMax = Duration.ofMinutes(1);
    int maxRps = 0;
    int maxConnectionsPerServer = 8;
    int minIdlePerServer = 1;
    Duration acquireTimeout = Duration.ofSeconds(5);
    Duration idleTimeout = Duration.ofMinutes(10);
    Duration maxLifetime = Duration.ofMinutes(30);
    Duration validationInterval = Duration.ofMillis(500);
    Duration leakDetectionThreshold = Duration.ZERO;
    int ejectAfterFailures = 5;
    Dialer dialer = Dialer.tcp();
    Backoff backoff;
    ConnectionValidator validator;
    final List<ConnPoolListener> listeners = new ArrayList<>();
    ConnectionBudget budget;
    Balancer balancer;

    // Seams for tests, not options: time, name lookups (for DNS expansion), background work, a wait queue hook.
    Ticker ticker = Ticker.SYSTEM;
    HostResolver hostResolver = HostResolver.SYSTEM;
    PoolScheduler.Factory schedulers = ExecutorPoolScheduler.FACTORY;
    Runnable beforePark;

    PoolConfig validated() {
        if (name == null || name.isBlank()) {
            throw new InvalidOptionException("name", name, "name must not be blank; give the pool a name such as 'billing'");
        }
        String where = " (pool '" + name + "')";
        if (serverSource != null && servers != null && !servers.isEmpty()) {
            throw new InvalidOptionException("serverSource", serverSource, "give servers(..) or serverSource(..), not"
                    + " both" + where + ": the source publishes the whole list; add fixed servers to what it publishes,"
                    + " or call addServer(..) after build()");
        }
        if (serverSource == null && (servers == null || servers.isEmpty())) {
            throw new InvalidOptionException("servers", servers, "servers must list at least one 'host:port'" + where
                    + ", or give a serverSource(..) that publishes them");
        }
        for (ServerAddress server : servers) {
            if (server == null) {
                throw new InvalidOptionException("servers", servers, "servers must not contain null" + where);
            }
        }
        List<ServerAddress> unique = List.copyOf(new LinkedHashSet<>(servers));
        if (unique.size() != servers.size()) {
            throw new InvalidOptionException("servers", servers, "servers lists a server twice: " + servers
                    + where + "; list each 'host:port' once");
        }
        notNegative("dnsRefreshInterval", dnsRefreshInterval, where);
        positive("dialTimeout", dialTimeout, where);
        notNegative("readTimeout", readTimeout, where);
        positive("retryMin", retryMin, where);
        positive("retryMax", retryMax, where);
        if (retryMin.compareTo(retryMax) > 0) {
            throw new InvalidOptionException("retryMin", retryMin, "retryMin (" + retryMin + ") must not be greater than retryMax ("
                    + retryMax + ")" + where + "; raise retryMax or lower retryMin");
        }
        if (maxRps < 0) {
            throw new InvalidOptionException("maxRps", maxRps, "maxRps must be 0 (unlimited) or positive, was " + maxRps + where);
        }
        if (maxConnectionsPerServer < 1) {
            throw new InvalidOptionException("maxConnectionsPerServer", maxConnectionsPerServer, "maxConnectionsPerServer must be at least 1, was "
                    + maxConnectionsPerServer + where);
        }
        if (minIdlePerServer < 0 || minIdlePerServer > maxConnectionsPerServer) {
            throw new InvalidOptionException("minIdlePerServer", minIdlePerServer, "minIdlePerServer must be between 0 and maxConnectionsPerServer ("
                    + maxConnectionsPerServer + "), was " + minIdlePerServer + where);
        }
        positive("acquireTimeout", acquireTimeout, where);
        notNegative("idleTimeout", idleTimeout, where);
        notNegative("maxLifetime", maxLifetime, where);
        notNegative("validationInterval", validationInterval, where);
        notNegative("leakDetectionThreshold", leakDetectionThreshold, where);
        if (ejectAfterFailures < 0) {
            throw new InvalidOptionException("ejectAfterFailures", ejectAfterFailures, "ejectAfterFailures must be 0 (never eject) or positive, was "
                    + ejectAfterFailures + where);
        }
        if (dialer == null) {
            throw new InvalidOptionException("dialer", null, "dialer must not be null" + where + "; use Dialer.tcp() or Dialer.tls(..)");
        }
        Backoff effectiveBackoff = backoff != null ? backoff : Backoff.exponential(retryMin, retryMax);
        return new PoolConfig(name, unique, serverSource, dnsRefreshInterval, dialTimeout, readTimeout, retryMin, retryMax, maxRps,
                maxConnectionsPerServer, minIdlePerServer, acquireTimeout, idleTimeout, maxLifetime,
                validationInterval, leakDetectionThreshold, ejectAfterFailures, dialer, effectiveBackoff, validator,
                List.copyOf(listeners), budget, balancer != null ? balancer : Balancer.roundRobin(), ticker,
                hostResolver, schedulers, beforePark);
    }

    /** The pool counts time in nanoseconds: about 292 years. */
    private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

    private static void positive(String option, Duration value, String where) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidOptionException(option, value, option + " must be a positive duration, was " + value + where);
        }
        notTooLong(option, value, where);
    }

    private static void notNegative(String option, Duration value, String where) {
        if (value == null || value.isNegative()) {
            throw new InvalidOptionException(option, value, option + " must be zero or a positive duration, was " + value + where);
        }
        notTooLong(option, value, where);
    }

    private static void notTooLong(String option, Duration value, String where) {
        if (value.compareTo(LONGEST) > 0) {
            throw new InvalidOptionException(option, value, option + " must be at most " + LONGEST + " (Long.MAX_VALUE"
                    + " nanoseconds, about 292 years), was " + value + where);
        }
    }
}
