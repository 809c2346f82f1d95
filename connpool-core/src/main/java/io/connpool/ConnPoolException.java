package io.connpool;

import java.io.IOException;

/**
 * Base of every error the pool raises itself. It is an {@link IOException} so that code already
 * handling socket failures handles pool failures too; the subclasses say which situation it was.
 */
public class ConnPoolException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that says what happened and what to do.
     *
     * @param message the message
     */
    public ConnPoolException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure behind it.
     *
     * @param message the message
     * @param cause the underlying failure
     */
    public ConnPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
