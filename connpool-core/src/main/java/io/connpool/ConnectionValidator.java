package io.connpool;

import java.io.IOException;
import java.net.Socket;

/**
 * A protocol-level check ("ping") of a connection that has gone unborrowed longer than
 * {@code validationInterval} (counted from the start of its last borrow), run on borrow after the pool's own
 * check that the peer has not closed it.
 * A connection that fails it is closed and another is tried.
 */
@FunctionalInterface
public interface ConnectionValidator {

    /**
     * Checks the connection. It must leave the stream in a clean state: read every byte of the reply.
     * The socket's read timeout is the pool's {@code readTimeout}.
     *
     * @param socket the connection to check; do not close it
     * @return whether the connection may be handed out
     * @throws IOException if the check failed (treated as {@code false})
     */
    boolean isValid(Socket socket) throws IOException;
}
