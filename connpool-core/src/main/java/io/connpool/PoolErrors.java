package io.connpool;

import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Every exception text of a pool: what happened, to which server, and what to do. Built only when an
 * error is thrown, from the servers' state at that moment, so each names every server and why it could
 * not serve.
 */
final class PoolErrors {

    /** Why a pass over the servers found nothing. */
    enum Refusal {
        ALL_DOWN,
        /** The pool has no servers at all (none configured yet, or its source published an empty list). */
        NO_SERVERS,
        RATE_LIMITED,
        EXHAUSTED,
        BUDGET_FULL,
        /** A dial failed without blaming its server: the caller's deadline cut it, or it was stale. */
        DIAL_UNBLAMED,
        CLOSED
    }

    /**
     * The refusal to report when a pass met several ({@code seen}: bits of their ordinals, none of them
     * {@code ALL_DOWN} or {@code CLOSED}): what the caller can act on first. None met: every server was busy.
     */
    private static final Refusal[] BY_PRIORITY = {Refusal.RATE_LIMITED, Refusal.BUDGET_FULL, Refusal.DIAL_UNBLAMED};

    static Refusal mostTelling(int seen) {
        for (Refusal refusal : BY_PRIORITY) {
            if ((seen & (1 << refusal.ordinal())) != 0) {
                return refusal;
            }
        }
        return Refusal.EXHAUSTED;
    }

    private final DefaultConnPool pool;
    private final PoolConfig config;
    private final Ticker ticker;

    PoolErrors(DefaultConnPool pool, PoolConfig config) {
        this.pool = pool;
        this.config = config;
        this.ticker = config.ticker();
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        String type = error.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }

    /**
     * Throws if waiting cannot help: the pool is closed, it has no servers, or every server is down and none
     * is due back before the deadline (a caller woken by a server going down learns it now, not at its
     * deadline).
     */
    void hopeless(Refusal refusal, long deadline, boolean closed) throws ConnPoolException {
        if (refusal == Refusal.CLOSED || closed) {
            throw closed();
        }
        if (refusal == Refusal.NO_SERVERS) {
            throw noServers();
        }
        if (refusal == Refusal.ALL_DOWN) {
            long back = pool.servers.soonestRetryNanos();
            if (back != Long.MAX_VALUE && back - deadline > 0) {
                throw noneBackInTime(deadline - ticker.nanoTime());
            }
        }
    }

    PoolClosedException closed() {
        return new PoolClosedException("Pool '" + pool.name() + "' is closed, so no connection can be acquired from"
                + " it; it was closed by close() or by application shutdown. Acquire from a pool that is open.");
    }

    java.io.InterruptedIOException interrupted(long startNanos) {
        Thread.currentThread().interrupt();
        return new java.io.InterruptedIOException("Interrupted while acquiring a connection from pool '" + pool.name()
                + "' after " + millis(ticker.nanoTime() - startNanos) + " ms; no server is blamed for it");
    }

    ConnPoolException refused(Refusal refusal) {
        String name = pool.name();
        return switch (refusal) {
            case CLOSED -> closed();
            case ALL_DOWN -> noServer("No server of pool '" + name + "' is available");
            case NO_SERVERS -> noServers();
            case RATE_LIMITED -> new RateLimitedException("Every server of pool '" + name + "' that could serve has"
                    + " used its maxRps=" + pool.changes.maxRps() + " permits for this second: " + servers() + ". Retry"
                    + " later, send less, or raise maxRps.");
            case BUDGET_FULL -> new PoolExhaustedException("The shared connection budget (" + config.budget() + ") is"
                    + " full and none of its connections is idle, so pool '" + name + "' cannot open another. Return"
                    + " connections sooner, raise the budget, or call acquire() to wait.");
            case EXHAUSTED -> new PoolExhaustedException("Pool '" + name + "' has no connection to hand out: "
                    + servers() + ". Return connections sooner (close every PooledConnection), raise"
                    + " maxConnectionsPerServer (now " + config.maxConnectionsPerServer() + "), or call acquire() to"
                    + " wait.");
            case DIAL_UNBLAMED -> new ConnectionUnavailableException("A dial from pool '" + name + "' failed without"
                    + " the server being marked down for it (it was interrupted, or it had started before the"
                    + " server's last change of state): " + servers() + ". Try again.");
        };
    }

    ConnPoolException timedOut(Refusal refusal, long waitedNanos) {
        long waited = millis(waitedNanos);
        String name = pool.name();
        if (refusal == Refusal.ALL_DOWN) {
            return noServer("No server of pool '" + name + "' became available within " + waited + " ms");
        }
        String why = switch (refusal) {
            case RATE_LIMITED -> "the servers that could serve were rate limited at maxRps=" + pool.changes.maxRps();
            case BUDGET_FULL -> "the shared connection budget (" + config.budget() + ") stayed full";
            case DIAL_UNBLAMED -> "a dial still in progress at the deadline was abandoned (dialTimeout is "
                    + config.dialTimeout().toMillis() + " ms; the server is not marked down for it)";
            default -> "no connection came free";
        };
        return new AcquireTimeoutException("Pool '" + name + "' could not provide a connection within " + waited
                + " ms: " + why + ". Servers: " + servers() + ". Raise acquireTimeout or maxConnectionsPerServer,"
                + " return connections sooner, or look at the slow or silent server above.");
    }

    /** All servers are down and none is due back before the caller's deadline: waiting would only time out. */
    NoServerAvailableException noneBackInTime(long leftNanos) {
        return noServer("No server of pool '" + pool.name() + "' can be back within the " + millis(leftNanos)
                + " ms left to wait");
    }

    NoServerAvailableException noServers() {
        return new NoServerAvailableException("Pool '" + pool.name() + "' has no servers, so there is nothing to"
                + " wait for: " + pool.changes.feed.whyEmpty() + ".", List.of(), null);
    }

    private NoServerAvailableException noServer(String headline) {
        ServerPool[] all = pool.servers.all();
        if (all.length == 0) {
            return noServers();
        }
        Throwable latest = null;
        long latestAt = 0;
        for (ServerPool server : all) {
            ServerHealth.Failure failure = server.health.current().lastFailure();
            if (failure != null && (latest == null || failure.atMillis() >= latestAt)) {
                latest = failure.error();
                latestAt = failure.atMillis();
            }
        }
        return new NoServerAvailableException(headline + ": " + servers() + ". Check that the servers are running and"
                + " reachable; the pool keeps retrying them in the background.", pool.servers(), latest);
    }

    /** One line per server: its state and whatever kept it from serving. */
    String servers() {
        StringJoiner each = new StringJoiner("; ");
        long now = ticker.nanoTime();
        for (ServerPool server : pool.servers.all()) {
            each.add(describe(server, now));
        }
        return each.length() == 0 ? "no servers" : each.toString();
    }

    private String describe(ServerPool server, long now) {
        ServerHealth.Snapshot health = server.health.current();
        StringBuilder line = new StringBuilder();
        if (server.origin.resolved() != null) {
            line.append(server.address.host()).append(" of ").append(server.source); // 10.0.0.7 of billing:7000
        }
        else {
            line.append(server.address);
            if (!server.source.equals(server.address.toString())) {
                line.append(" (from ").append(server.source).append(')');
            }
        }
        line.append(" is ").append(health.state());
        ServerHealth.Failure failure = health.lastFailure();
        if (health.state() == ServerState.DOWN) {
            if (failure != null) {
                line.append(" (").append(failure.description()).append(')');
            }
            return line.append(", next retry in ").append(Math.max(0, millis(health.retryAtNanos() - now)))
                    .append(" ms").toString();
        }
        int[] counts = server.countActiveAndIdle();
        line.append(": ").append(counts[0]).append(" active, ").append(counts[1]).append(" idle of ")
                .append(config.maxConnectionsPerServer());
        int dialing = server.dialing.get();
        if (dialing > 0) {
            line.append(", ").append(dialing).append(dialing == 1 ? " dial" : " dials").append(" in progress for ")
                    .append(millis(now - server.lastDialStartNanos)).append(" ms (dialTimeout ")
                    .append(config.dialTimeout().toMillis()).append(" ms)");
        }
        if (health.state() == ServerState.PROBATION) {
            line.append(health.trialOut() ? ", its one trial borrow is out" : ", waiting for its trial borrow");
        }
        if (failure != null) {
            line.append(", last error ").append(failure.description());
        }
        return line.toString();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
