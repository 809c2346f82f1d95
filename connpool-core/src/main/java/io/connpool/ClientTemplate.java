package io.connpool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;

/**
 * {@link ConnPool#execute} and {@link ConnPool#executeIdempotent}: borrow, run the callback, give the
 * connection back, or discard it when the callback failed; and for an idempotent request, one retry when the
 * failure says only that a reused connection was already dead.
 *
 * <p>The retry rule keeps a request from ever being applied twice because of the pool: only a connection
 * taken from the idle set (not dialed for this call, not checked just now), only when no byte of a reply was
 * read through it, and never for an interrupt or a timeout (the server may be working on it). The second
 * attempt borrows a connection that is new or checked just before it is lent.
 */
final class ClientTemplate {

    private final DefaultConnPool pool;
    private final ListenerChain listeners;

    ClientTemplate(DefaultConnPool pool, ListenerChain listeners) {
        this.pool = pool;
        this.listeners = listeners;
    }

    <T> T execute(ConnectionCallback<T> callback) throws IOException {
        requireCallback(callback);
        PooledConnection connection = pool.acquire();
        return run(connection, callback);
    }

    <T> T executeIdempotent(ConnectionCallback<T> callback) throws IOException {
        requireCallback(callback);
        PooledConnectionHandle first = (PooledConnectionHandle) pool.acquire();
        boolean reused = first.entry.origin == PoolEntry.REUSED; // read while we own the entry
        try {
            return run(first, callback);
        }
        catch (IOException failure) {
            if (!reused || first.replyStarted() || !retriable(failure)) {
                throw failure;
            }
            return retry(first.server(), failure, callback);
        }
    }

    private <T> T retry(ServerAddress firstServer, IOException firstFailure, ConnectionCallback<T> callback)
            throws IOException {
        listeners.retried(firstServer, firstFailure);
        String tried = "failed on a reused connection to " + firstServer + " before any reply ("
                + PoolErrors.describe(firstFailure) + ")";
        PooledConnectionHandle second;
        try {
            second = pool.acquireChecked();
        }
        catch (ConnPoolException unavailable) {
            unavailable.addSuppressed(firstFailure);
            throw unavailable;
        }
        String how = second.entry.origin == PoolEntry.DIALED ? "a new connection" : "a connection checked just now";
        try {
            return run(second, callback);
        }
        catch (IOException again) {
            IOException both = new IOException("Idempotent request to pool '" + pool.name() + "' " + tried
                    + ", and again when retried once on " + how + " to " + second.server() + ": "
                    + PoolErrors.describe(again), again);
            both.addSuppressed(firstFailure);
            throw both;
        }
    }

    /** Runs the callback; any failure discards the connection, whose stream is then in an unknown state. */
    private static <T> T run(PooledConnection connection, ConnectionCallback<T> callback) throws IOException {
        T result;
        try {
            result = callback.doInConnection(connection);
        }
        catch (IOException | RuntimeException | Error ex) {
            connection.invalidate();
            throw ex;
        }
        connection.close();
        return result;
    }

    /** Interrupts and timeouts are never retried: the first may be the caller's wish, the second a slow answer. */
    private static boolean retriable(IOException failure) {
        return !(failure instanceof InterruptedIOException) // a SocketTimeoutException is one too
                && !(failure instanceof ConnPoolException) && !Thread.currentThread().isInterrupted();
    }

    private static void requireCallback(ConnectionCallback<?> callback) {
        Objects.requireNonNull(callback, "callback must not be null: pass what to do with the connection, for"
                + " example c -> framing.call(c, request)");
    }
}
