package io.connpool;

/**
 * No connection could be had within the acquire timeout: servers were up but every connection was busy, rate limited, or still being dialed.
 */
public class AcquireTimeoutException extends ConnPoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, to which pool or server, and what to do
     */
    public AcquireTimeoutException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure behind it.
     *
     * @param message what happened, to which pool or server, and what to do
     * @param cause the underlying failure
     */
    public AcquireTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
