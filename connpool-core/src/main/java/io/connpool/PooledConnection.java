package io.connpool;

import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A connection borrowed from a {@link ConnPool}. Use it from one thread at a time, in
 * try-with-resources so that it always goes back:
 *
 * <pre>{@code
 * try (PooledConnection c = pool.acquire()) {
 *     c.output().write(request);
 *     c.input().read(reply);
 * }
 * }</pre>
 *
 * <p>An {@link java.io.IOException} thrown through {@link #input()} or {@link #output()} marks the
 * connection broken: {@link #close()} then closes it instead of returning it. Call {@link #invalidate()}
 * yourself after a protocol error that leaves the stream in an unknown state.
 */
public interface PooledConnection extends Closeable {

    /**
     * Returns the stream to read replies from. Unbuffered: wrap it if you read small pieces.
     *
     * @return the input stream of this borrow
     * @throws IllegalStateException if this connection has been closed
     */
    InputStream input();

    /**
     * Returns the stream to write requests to. Unbuffered: write whole requests.
     *
     * @return the output stream of this borrow
     * @throws IllegalStateException if this connection has been closed
     */
    OutputStream output();

    /**
     * Returns the raw socket, for options or a protocol library that wants a {@link Socket}. I/O errors
     * on it are not seen by the pool: call {@link #invalidate()} after one. Never close it yourself.
     *
     * @return the socket
     * @throws IllegalStateException if this connection has been closed
     */
    Socket socket();

    /**
     * Returns the server this connection is to.
     *
     * @return the server
     */
    ServerAddress server();

    /**
     * Closes the connection for good and gives its place back to the pool; it is never reused. Has no
     * effect if already closed.
     */
    void invalidate();

    /**
     * Returns the connection to the pool (or closes it, if it is broken, invalidated, expired or the pool
     * is closed). A second call has no effect.
     */
    @Override
    void close();
}
