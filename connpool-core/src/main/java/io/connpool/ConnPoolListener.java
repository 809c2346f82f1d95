package io.connpool;

/**
 * Receives the pool's events: metrics and logs are built on it. Every method has an empty default, so
 * implement only what you need.
 *
 * <p>Methods are called synchronously from the thread that caused the event, some of them on the
 * acquire/release path: keep them short, never block, never throw (a listener that throws is logged
 * and ignored). Durations are in nanoseconds so that no object is allocated per event.
 */
public interface ConnPoolListener {

    /** Why the pool closed a connection. */
    enum CloseReason {
        /** Idle longer than {@code idleTimeout}. */
        IDLE_TIMEOUT,
        /** Older than its {@code maxLifetime}. */
        MAX_LIFETIME,
        /** The borrower saw an I/O error on it. */
        BROKEN,
        /** The borrower called {@link PooledConnection#invalidate()}. */
        INVALIDATED,
        /** The peer had closed it, sent unexpected bytes, or the validator rejected it. */
        VALIDATION_FAILED,
        /** Its server went {@link ServerState#DOWN}. */
        SERVER_DOWN,
        /** Its server was removed from the pool. */
        SERVER_REMOVED,
        /** A soft evict asked for it to be replaced. */
        EVICTED,
        /** The shared {@link ConnectionBudget} needed room for another connection. */
        BUDGET,
        /** The pool was closed. */
        POOL_CLOSED
    }

    /**
     * A connection was opened.
     *
     * @param server the server
     * @param elapsedNanos how long the dial took
     */
    default void dialSucceeded(ServerAddress server, long elapsedNanos) {
    }

    /**
     * A dial failed.
     *
     * @param server the server
     * @param elapsedNanos how long the attempt took
     * @param error the failure
     */
    default void dialFailed(ServerAddress server, long elapsedNanos, Throwable error) {
    }

    /**
     * A server became {@link ServerState#UP}: its first dial, or a probe after it was down, succeeded.
     *
     * @param server the server
     */
    default void serverUp(ServerAddress server) {
    }

    /**
     * A server became {@link ServerState#DOWN} (not called again for each failed probe).
     *
     * @param server the server
     * @param cause the failure that brought it down
     * @param retryInNanos when the first probe will dial it
     */
    default void serverDown(ServerAddress server, Throwable cause, long retryInNanos) {
    }

    /**
     * A connection was handed to a caller.
     *
     * @param server the connection's server
     * @param waitNanos how long {@code acquire} took, dialing included
     */
    default void acquired(ServerAddress server, long waitNanos) {
    }

    /**
     * A borrowed connection was given back (returned or invalidated).
     *
     * @param server the connection's server
     * @param usageNanos how long it was borrowed
     */
    default void released(ServerAddress server, long usageNanos) {
    }

    /**
     * An {@code acquire} gave up at its timeout.
     *
     * @param waitNanos how long it waited
     */
    default void acquireTimedOut(long waitNanos) {
    }

    /**
     * A server could have served a caller but had no rate-limit permit left.
     *
     * @param server the server
     */
    default void rateLimited(ServerAddress server) {
    }

    /**
     * A connection was closed by the pool.
     *
     * @param server the connection's server
     * @param reason why
     */
    default void connectionClosed(ServerAddress server, CloseReason reason) {
    }

    /**
     * {@code executeIdempotent} retried a request once: its reused connection failed before any reply.
     *
     * @param server the server of the connection that failed
     * @param failure what it failed with
     */
    default void retried(ServerAddress server, Throwable failure) {
    }

    /**
     * A server was added to the pool at run time (not called for the servers it was built with).
     *
     * @param server the server
     */
    default void serverAdded(ServerAddress server) {
    }

    /**
     * A server was removed from the pool.
     *
     * @param server the server
     */
    default void serverRemoved(ServerAddress server) {
    }
}
