package io.connpool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;

/**
 * Opens one socket for a pool or a {@link ManagedConnection}: the dialer within a timeout, the read timeout
 * set, the listeners told how it went; and says whether a failure is the server's or the caller's own
 * doing. One copy of this for both, so that both blame servers by the same rules.
 */
final class SocketOpener {

    private final Dialer dialer;
    private final int soTimeoutMillis;
    private final ListenerChain listeners;
    private final Ticker ticker;

    /**
     * @param soTimeout the {@code SO_TIMEOUT} every socket gets: a managed connection's read timeout; zero for a
     *        pool's sockets, whose reads are timed by {@link ReadDeadlines} (a timed read costs a poll per read)
     */
    SocketOpener(Dialer dialer, Duration soTimeout, ListenerChain listeners, Ticker ticker) {
        this.dialer = dialer;
        this.soTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, soTimeout.toMillis());
        this.listeners = listeners;
        this.ticker = ticker;
    }

    /** Dials and configures a socket; the caller owns it. Throws what the dialer threw. */
    Socket open(ServerAddress server, long timeoutNanos) throws IOException {
        return open(server, null, null, timeoutNanos);
    }

    /**
     * Dials {@code server}, which is {@code resolved}, an address the host of {@code named} resolved to; or, if
     * {@code resolved} is null, {@code server} as it is.
     */
    Socket open(ServerAddress server, ServerAddress named, InetAddress resolved, long timeoutNanos)
            throws IOException {
        long start = ticker.nanoTime();
        Socket socket = null;
        try {
            Duration timeout = Duration.ofNanos(Math.max(1, timeoutNanos));
            socket = resolved == null ? dialer.dial(server, timeout) : dialer.dial(named, resolved, timeout);
            if (socket == null) {
                throw new IOException("the dialer " + dialer + " returned no socket for " + server);
            }
            socket.setSoTimeout(soTimeoutMillis);
            listeners.dialSucceeded(server, ticker.nanoTime() - start);
            return socket;
        }
        catch (IOException | RuntimeException ex) {
            Sockets.closeQuietly(socket);
            listeners.dialFailed(server, ticker.nanoTime() - start, ex);
            throw ex;
        }
    }

    /**
     * Whether a failed dial was the caller's doing rather than the server's: the caller was interrupted, or
     * its own deadline (shorter than the dial timeout) cut the dial short. Such a failure never blames the
     * server.
     */
    static boolean cutByCaller(Throwable failure, boolean deadlineShortened) {
        return interrupted(failure) || Thread.currentThread().isInterrupted()
                || (deadlineShortened && failure instanceof SocketTimeoutException);
    }

    /** Whether an I/O failure is an interrupt of the thread doing it, not a fault of the peer. */
    static boolean interrupted(Throwable failure) {
        return failure instanceof ClosedByInterruptException
                || (failure instanceof InterruptedIOException && !(failure instanceof SocketTimeoutException));
    }
}
