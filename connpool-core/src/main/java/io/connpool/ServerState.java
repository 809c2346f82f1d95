package io.connpool;

/** The health of one server as the pool sees it. */
public enum ServerState {
    /** Never dialed yet. The pool dials it like an {@link #UP} server. */
    UNKNOWN,
    /** The last dial succeeded and its connections are not failing. */
    UP,
    /**
     * A dial failed, or too many consecutive connections failed with I/O errors. The server is in
     * backoff: callers never dial it; one background probe dials when the backoff expires.
     */
    DOWN
}
