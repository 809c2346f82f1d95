package io.connpool;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * One borrow of a {@link PoolEntry}: the entry and the borrow number it was leased at. Whether it is still
 * open is read from the entry ({@link PoolEntry#borrow()} still at {@link #stamp}), so a second close, a
 * close from another thread or a stale handle kept after close can never give back someone else's borrow.
 *
 * <p>The stream views hold the entry and the stamp themselves, not the handle: the handle then never
 * escapes the code that borrowed, and when {@code acquire} and {@code close} are inlined into it the JIT
 * drops its allocation. Only the views a borrower asks for are allocated (they escape into its code).
 */
final class PooledConnectionHandle implements PooledConnection {

    final DefaultConnPool pool;
    final PoolEntry entry;
    final long stamp;
    private BorrowedInput input;
    private BorrowedOutput output;

    PooledConnectionHandle(DefaultConnPool pool, PoolEntry entry, long stamp) {
        this.pool = pool;
        this.entry = entry;
        this.stamp = stamp;
    }

    @Override
    public InputStream input() {
        checkOpen(entry, stamp);
        BorrowedInput in = input;
        if (in == null) {
            input = in = new BorrowedInput(entry, stamp);
        }
        return in;
    }

    @Override
    public OutputStream output() {
        checkOpen(entry, stamp);
        BorrowedOutput out = output;
        if (out == null) {
            output = out = new BorrowedOutput(entry, stamp);
        }
        return out;
    }

    /** A byte of a reply was read through {@link #input()}: a retry could apply the request twice. */
    boolean replyStarted() {
        BorrowedInput in = input;
        return in != null && in.replyStarted;
    }

    @Override
    public Socket socket() {
        checkOpen(entry, stamp);
        if (entry.deadlines != null && !entry.rawTimeoutSet) {
            // reads on the raw socket bypass the pool's deadlines: they get SO_TIMEOUT, set once per connection
            try {
                entry.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        TimeUnit.NANOSECONDS.toMillis(entry.deadlines.timeoutNanos))));
                entry.rawTimeoutSet = true;
            }
            catch (java.net.SocketException ex) {
                broken(entry, stamp, ex);
            }
        }
        return entry.socket;
    }

    @Override
    public ServerAddress server() {
        return entry.server.address;
    }

    @Override
    public void invalidate() {
        if (entry.borrow() == stamp) {
            entry.invalidated = true;
            close();
        }
    }

    @Override
    public void close() {
        pool.release(entry, stamp);
    }

    static void checkOpen(PoolEntry entry, long stamp) {
        if (entry.borrow() != stamp) {
            throw new IllegalStateException("This connection to " + entry.server.address + " was already closed"
                    + " (given back to pool '" + entry.server.poolName + "'); acquire a new one instead of keeping"
                    + " it");
        }
    }

    /** Records the first I/O error of this borrow; the entry is then closed on return. */
    static void broken(PoolEntry entry, long stamp, IOException error) {
        if (entry.borrow() == stamp && entry.brokenBy == null) {
            entry.brokenBy = error;
        }
    }

    @Override
    public String toString() {
        return "PooledConnection[" + entry.server.address + (entry.borrow() == stamp ? "]" : ", closed]");
    }

    /**
     * Reads through to the socket within the pool's read timeout (see {@link ReadDeadlines}); an error, a
     * timeout or end of stream marks the connection broken.
     */
    private static final class BorrowedInput extends InputStream {

        private final PoolEntry entry;
        private final long stamp;
        boolean replyStarted;

        BorrowedInput(PoolEntry entry, long stamp) {
            this.entry = entry;
            this.stamp = stamp;
        }

        @Override
        public int read() throws IOException {
            checkOpen(entry, stamp);
            ReadDeadlines deadlines = entry.deadlines;
            boolean timed = deadlines != null;
            if (timed) {
                deadlines.arm(entry);
            }
            int b;
            try {
                b = entry.rawInput.read();
            }
            catch (IOException ex) {
                throw failed(timed, ex);
            }
            ended(timed, b < 0);
            if (b >= 0) {
                replyStarted = true;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            checkOpen(entry, stamp);
            ReadDeadlines deadlines = entry.deadlines;
            boolean timed = deadlines != null;
            if (timed) {
                deadlines.arm(entry);
            }
            int n;
            try {
                n = entry.rawInput.read(buffer, offset, length);
            }
            catch (IOException ex) {
                throw failed(timed, ex);
            }
            ended(timed, n < 0);
            if (n > 0) {
                replyStarted = true;
            }
            return n;
        }

        /** A read that returned: timed out all the same if the sweep expired it meanwhile (its socket is gone). */
        private void ended(boolean timed, boolean endOfStream) throws IOException {
            if (timed && entry.disarmRead()) {
                IOException timeout = timeout(null);
                broken(entry, stamp, timeout);
                throw timeout;
            }
            if (endOfStream) {
                broken(entry, stamp, new EOFException("connection closed by " + entry.server.address));
            }
        }

        private IOException failed(boolean timed, IOException error) {
            IOException reported = timed && entry.disarmRead() ? timeout(error) : error;
            broken(entry, stamp, reported);
            return reported;
        }

        private SocketTimeoutException timeout(IOException cause) {
            SocketTimeoutException timeout = new SocketTimeoutException("Read timed out: no reply from "
                    + entry.server.address + " within the pool's readTimeout of "
                    + TimeUnit.NANOSECONDS.toMillis(entry.deadlines.timeoutNanos) + " ms; the connection is closed");
            if (cause != null) {
                timeout.initCause(cause);
            }
            return timeout;
        }

        @Override
        public int available() throws IOException {
            checkOpen(entry, stamp);
            try {
                return entry.rawInput.available();
            }
            catch (IOException ex) {
                broken(entry, stamp, ex);
                throw ex;
            }
        }

        /** Has no effect on the connection: close the {@link PooledConnection} instead. */
        @Override
        public void close() {
        }
    }

    /** Writes through to the socket; an error marks the connection broken. */
    private static final class BorrowedOutput extends OutputStream {

        private final PoolEntry entry;
        private final long stamp;

        BorrowedOutput(PoolEntry entry, long stamp) {
            this.entry = entry;
            this.stamp = stamp;
        }

        @Override
        public void write(int b) throws IOException {
            checkOpen(entry, stamp);
            try {
                entry.rawOutput.write(b);
            }
            catch (IOException ex) {
                broken(entry, stamp, ex);
                throw ex;
            }
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            checkOpen(entry, stamp);
            try {
                entry.rawOutput.write(buffer, offset, length);
            }
            catch (IOException ex) {
                broken(entry, stamp, ex);
                throw ex;
            }
        }

        @Override
        public void flush() throws IOException {
            checkOpen(entry, stamp);
            try {
                entry.rawOutput.flush();
            }
            catch (IOException ex) {
                broken(entry, stamp, ex);
                throw ex;
            }
        }

        /** Has no effect on the connection: close the {@link PooledConnection} instead. */
        @Override
        public void close() {
        }
    }
}
