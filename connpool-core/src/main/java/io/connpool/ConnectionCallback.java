package io.connpool;

import java.io.IOException;

/**
 * What to do with one borrowed connection: write a request, read its reply, return what the caller
 * wants. The pool borrows the connection before and gives it back (or discards it) after; the callback
 * must not close it, keep it, or return it.
 *
 * <pre>{@code
 * Framing<String> lines = Framing.lines(StandardCharsets.UTF_8);
 * ConnectionCallback<String> get42 = c -> lines.call(c, "GET 42");
 * }</pre>
 *
 * @param <T> what the callback returns
 */
@FunctionalInterface
public interface ConnectionCallback<T> {

    /**
     * Uses the connection.
     *
     * @param connection the borrowed connection, valid only during this call
     * @return the result, handed to the caller of the pool
     * @throws IOException if the exchange failed; the connection is then discarded, never reused
     */
    T doInConnection(PooledConnection connection) throws IOException;
}
