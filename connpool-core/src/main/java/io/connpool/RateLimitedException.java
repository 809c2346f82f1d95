package io.connpool;

/**
 * Every server that could serve has used its {@code maxRps} permits for the current period.
 */
public class RateLimitedException extends ConnPoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, to which pool or server, and what to do
     */
    public RateLimitedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure behind it.
     *
     * @param message what happened, to which pool or server, and what to do
     * @param cause the underlying failure
     */
    public RateLimitedException(String message, Throwable cause) {
        super(message, cause);
    }
}
