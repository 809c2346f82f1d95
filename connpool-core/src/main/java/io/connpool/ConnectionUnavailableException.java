package io.connpool;

/**
 * A {@link ManagedConnection} is disconnected and reconnecting in the background; the call failed at once instead of blocking.
 */
public class ConnectionUnavailableException extends ConnPoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, to which pool or server, and what to do
     */
    public ConnectionUnavailableException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure behind it.
     *
     * @param message what happened, to which pool or server, and what to do
     * @param cause the underlying failure
     */
    public ConnectionUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
