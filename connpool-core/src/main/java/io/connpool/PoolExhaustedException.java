package io.connpool;

/**
 * Every server is at {@code maxConnectionsPerServer} (or the shared {@link ConnectionBudget} is full) with no idle connection, and the caller would not wait.
 */
public class PoolExhaustedException extends ConnPoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, to which pool or server, and what to do
     */
    public PoolExhaustedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure behind it.
     *
     * @param message what happened, to which pool or server, and what to do
     * @param cause the underlying failure
     */
    public PoolExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
