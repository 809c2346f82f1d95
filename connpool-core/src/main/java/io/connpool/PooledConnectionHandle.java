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
 * <p>Allocation: a borrow that asks for no stream allocates nothing once {@code acquire} and {@code close}
 * are inlined into the borrower (escape analysis drops the handle). A borrow that asks for its streams
 * allocates the handle (32 bytes) and one view of 16 bytes per stream, which refers to the handle: the
 * views escape into the borrower's protocol code in any real use, and on JDK 17 a borrow whose body may
 * throw from a call the JIT did not inline keeps the handle allocated anyway (measured in issue 12: 40 bytes
 * for try/finally around such a call), so views holding the entry and the stamp themselves (24 bytes each)
 * would cost more. The views are kept on the entry for the rest of the borrow, not on the handle, which
 * stays at three fields and a flag.
 */
final class PooledConnectionHandle implements PooledConnection {

    final DefaultConnPool pool;
    final PoolEntry entry;
    final long stamp;
    /** Owner-only: a byte of a reply was read through {@link #input()} in this borrow. */
    boolean replyStarted;

    PooledConnectionHandle(DefaultConnPool pool, PoolEntry entry, long stamp) {
        this.pool = pool;
        this.entry = entry;
        this.stamp = stamp;
    }

    @Override
    public InputStream input() {
        open();
        BorrowedInput in = entry.input;
        if (in == null || in.handle != this) {
            entry.input = in = new BorrowedInput(this);
        }
        return in;
    }

    @Override
    public OutputStream output() {
        open();
        BorrowedOutput out = entry.output;
        if (out == null || out.handle != this) {
            entry.output = out = new BorrowedOutput(this);
        }
        return out;
    }

    /** A byte of a reply was read through {@link #input()}: a retry could apply the request twice. */
    boolean replyStarted() {
        return replyStarted;
    }

    @Override
    public Socket socket() {
        open();
        if (entry.deadlines != null && !entry.rawTimeoutSet) {
            // reads on the raw socket bypass the pool's deadlines: they get SO_TIMEOUT, set once per connection
            try {
                entry.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE,
                        TimeUnit.NANOSECONDS.toMillis(entry.deadlines.timeoutNanos))));
                entry.rawTimeoutSet = true;
            }
            catch (java.net.SocketException ex) {
                broken(ex);
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

    /** The entry, for a stream view's call, while this borrow is open. */
    PoolEntry open() {
        if (entry.borrow() != stamp) {
            throw new IllegalStateException("This connection to " + entry.server.address + " was already closed"
                    + " (given back to pool '" + entry.server.poolName + "'); acquire a new one instead of keeping"
                    + " it");
        }
        return entry;
    }

    /** Records the first I/O error of this borrow; the entry is then closed on return. */
    void broken(IOException error) {
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
    static final class BorrowedInput extends InputStream {

        final PooledConnectionHandle handle;

        BorrowedInput(PooledConnectionHandle handle) {
            this.handle = handle;
        }

        @Override
        public int read() throws IOException {
            PoolEntry entry = handle.open();
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
                throw failed(entry, timed, ex);
            }
            ended(entry, timed, b < 0);
            if (b >= 0) {
                handle.replyStarted = true;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            PoolEntry entry = handle.open();
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
                throw failed(entry, timed, ex);
            }
            ended(entry, timed, n < 0);
            if (n > 0) {
                handle.replyStarted = true;
            }
            return n;
        }

        /** A read that returned: timed out all the same if the sweep expired it meanwhile (its socket is gone). */
        private void ended(PoolEntry entry, boolean timed, boolean endOfStream) throws IOException {
            if (timed && entry.disarmRead()) {
                IOException timeout = timeout(entry, null);
                handle.broken(timeout);
                throw timeout;
            }
            if (endOfStream) {
                handle.broken(new EOFException("connection closed by " + entry.server.address));
            }
        }

        private IOException failed(PoolEntry entry, boolean timed, IOException error) {
            IOException reported = timed && entry.disarmRead() ? timeout(entry, error) : error;
            handle.broken(reported);
            return reported;
        }

        private static SocketTimeoutException timeout(PoolEntry entry, IOException cause) {
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
            PoolEntry entry = handle.open();
            try {
                return entry.rawInput.available();
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        /** Has no effect on the connection: close the {@link PooledConnection} instead. */
        @Override
        public void close() {
        }
    }

    /** Writes through to the socket; an error marks the connection broken. */
    static final class BorrowedOutput extends OutputStream {

        final PooledConnectionHandle handle;

        BorrowedOutput(PooledConnectionHandle handle) {
            this.handle = handle;
        }

        @Override
        public void write(int b) throws IOException {
            PoolEntry entry = handle.open();
            try {
                entry.rawOutput.write(b);
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            PoolEntry entry = handle.open();
            try {
                entry.rawOutput.write(buffer, offset, length);
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        @Override
        public void flush() throws IOException {
            PoolEntry entry = handle.open();
            try {
                entry.rawOutput.flush();
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        /** Has no effect on the connection: close the {@link PooledConnection} instead. */
        @Override
        public void close() {
        }
    }
}
