package io.connpool.benchmarks.readtimeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One client connection whose reads are bounded by a read timeout, enforced by one of the {@link ReadTimeoutOption}s.
 * The contract every option keeps, and {@code ReadTimeoutOptionsTest} checks: a read that gets no byte within the
 * timeout throws {@link SocketTimeoutException} within the timeout plus a small margin, and the connection is then
 * closed for good ({@link #timedOut()}, {@link #isUsable()} false): a timed-out connection is never reused,
 * because a late reply would be read as the answer to the next request.
 *
 * <p>A prototype for connpool's core, kept in the benchmark module: measured, not shipped.
 */
public abstract class TimedConnection implements AutoCloseable {

    final Socket socket;
    final InputStream rawInput;
    private final OutputStream output;
    private final InputStream input = new Input();
    private final byte[] oneByte = new byte[1];
    private volatile boolean timedOut;

    TimedConnection(Socket socket) throws IOException {
        this(socket, socket.getInputStream(), socket.getOutputStream());
    }

    /** {@code output} null: the subclass gives it with {@link #outputFor()}. */
    TimedConnection(Socket socket, InputStream rawInput, OutputStream output) {
        this.socket = socket;
        this.rawInput = rawInput;
        this.output = output != null ? output : outputFor();
    }

    /** The write side of a connection that cannot use the socket's own stream. */
    OutputStream outputFor() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " uses the socket's output stream");
    }

    /** The read side, bounded by the read timeout. */
    public final InputStream input() {
        return input;
    }

    public final OutputStream output() {
        return output;
    }

    public final Socket socket() {
        return socket;
    }

    /** Whether a read timed out: the connection is closed and must not go back to a pool. */
    public final boolean timedOut() {
        return timedOut;
    }

    /** Open and never timed out. */
    public final boolean isUsable() {
        return !timedOut && !socket.isClosed();
    }

    /** One read into {@code buffer}, as {@link InputStream#read(byte[], int, int)}, with the timeout enforced. */
    abstract int read(byte[] buffer, int offset, int length) throws IOException;

    /** Marks the connection timed out, closes it and returns the exception to throw. */
    final SocketTimeoutException timeout(long timeoutNanos, Throwable cause) {
        timedOut = true;
        closeQuietly();
        SocketTimeoutException ex = new SocketTimeoutException("read timed out after "
                + timeoutNanos / 1_000_000 + " ms waiting for " + socket.getRemoteSocketAddress()
                + "; the connection is closed (a late reply must not reach the next request)");
        if (cause != null) {
            ex.initCause(cause);
        }
        return ex;
    }

    final void closeQuietly() {
        try {
            socket.close();
        }
        catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private final class Input extends InputStream {

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            return TimedConnection.this.read(buffer, offset, length);
        }

        @Override
        public int read() throws IOException {
            int n = TimedConnection.this.read(oneByte, 0, 1);
            return n < 0 ? -1 : oneByte[0] & 0xff;
        }

        @Override
        public int available() throws IOException {
            return rawInput == null ? 0 : rawInput.available();
        }
    }
}
