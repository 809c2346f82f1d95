package io.connpool.benchmarks.readtimeout;

import java.io.IOException;
import java.net.Socket;

/**
 * Plain blocking reads (no {@code SO_TIMEOUT}: one {@code read(2)} per read), bounded by a {@link Watchdog} that
 * closes the socket when the read's deadline passes. The fields are the watchdog's per-connection state, so arming
 * and disarming a deadline allocates nothing.
 */
final class WatchedConnection extends TimedConnection {

    final Watchdog watchdog;
    final long timeoutNanos;
    /** {@link SweepWatchdog}: the armed deadline, 0 when no read is in flight. */
    volatile long deadline;
    /** {@link QueueWatchdog}: the deadline and the links of its queue, guarded by its lock. */
    long queuedDeadline;
    WatchedConnection previous;
    WatchedConnection next;
    boolean queued;
    boolean expired;

    WatchedConnection(Socket socket, Watchdog watchdog, long timeoutNanos) throws IOException {
        super(socket);
        socket.setSoTimeout(0);
        this.watchdog = watchdog;
        this.timeoutNanos = timeoutNanos;
        watchdog.register(this);
    }

    @Override
    int read(byte[] buffer, int offset, int length) throws IOException {
        watchdog.enter(this);
        int n;
        try {
            n = rawInput.read(buffer, offset, length);
        }
        catch (IOException ex) {
            if (watchdog.exit(this)) {
                throw timeout(timeoutNanos, ex);
            }
            throw ex;
        }
        if (watchdog.exit(this)) {
            // the bytes came just as the deadline passed: the socket is being closed, so the connection is done
            throw timeout(timeoutNanos, null);
        }
        return n;
    }

    /** Called by the watchdog thread when the deadline passed. */
    void expire() {
        closeQuietly();
    }

    @Override
    public void close() throws IOException {
        watchdog.unregister(this);
        super.close();
    }
}
