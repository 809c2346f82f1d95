package io.connpool;

/**
 * The health of one server as the pool sees it:
 * {@code UNKNOWN → UP ⇄ DOWN → PROBATION → UP}, and any state to {@code REMOVED}.
 */
public enum ServerState {
    /** Never dialed yet. Callers dial it like an {@link #UP} server. */
    UNKNOWN,
    /** The last dial succeeded and its connections are not failing. */
    UP,
    /**
     * A dial failed, or {@code ejectAfterFailures} consecutive connections failed with I/O errors. The server
     * is in backoff: callers never dial it; one background probe dials when the backoff expires.
     */
    DOWN,
    /**
     * Half-open: a probe of a {@link #DOWN} server succeeded. One connection at a time may be borrowed;
     * when it comes back healthy the server is {@link #UP}, if it fails the server is {@link #DOWN} again
     * with a longer backoff.
     */
    PROBATION,
    /** Removed from the pool (by {@code removeServer}, its server source, or the pool's close). */
    REMOVED
}
