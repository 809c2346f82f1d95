package io.connpool;

/**
 * The pool has been closed: no connection is handed out any more.
 */
public class PoolClosedException extends ConnPoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, to which pool or server, and what to do
     */
    public PoolClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure behind it.
     *
     * @param message what happened, to which pool or server, and what to do
     * @param cause the underlying failure
     */
    public PoolClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
