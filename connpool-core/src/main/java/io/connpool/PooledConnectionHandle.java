package io.connpool;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * One borrow of a {@link PoolEntry}: the entry and the borrow number it was leased at. Whether it is still
 * open is read from the entry ({@link PoolEntry#borrow()} still at {@link #stamp}), so a second close, a
 * close from another thread or a stale handle kept after close can never give back someone else's borrow.
 *
 * <p>The handle has no state of its own to update, so when {@code acquire} and {@code close} are inlined
 * into the caller the JIT can drop its allocation altogether.
 */
final class PooledConnectionHandle implements PooledConnection {

    final DefaultConnPool pool;
    final PoolEntry entry;
    final long stamp;
    private InputStream input;
    private OutputStream output;
    /** A byte of a reply was read through {@link #input()}: a retry could apply the request twice. */
    boolean replyStarted;

    PooledConnectionHandle(DefaultConnPool pool, PoolEntry entry, long stamp) {
        this.pool = pool;
        this.entry = entry;
        this.stamp = stamp;
    }

    @Override
    public InputStream input() {
        checkOpen();
        InputStream in = input;
        if (in == null) {
            input = in = new BorrowedInput(this);
        }
        return in;
    }

    @Override
    public OutputStream output() {
        checkOpen();
        OutputStream out = output;
        if (out == null) {
            output = out = new BorrowedOutput(this);
        }
        return out;
    }

    @Override
    public Socket socket() {
        checkOpen();
        return entry.socket;
    }

    @Override
    public ServerAddress server() {
        return entry.server.address;
    }

    @Override
    public void invalidate() {
        if (isOpen()) {
            entry.invalidated = true;
            close();
        }
    }

    @Override
    public void close() {
        pool.release(entry, stamp);
    }

    private boolean isOpen() {
        return entry.borrow() == stamp;
    }

    void checkOpen() {
        if (!isOpen()) {
            throw new IllegalStateException("This connection to " + entry.server.address + " was already closed"
                    + " (given back to pool '" + pool.name() + "'); acquire a new one instead of keeping it");
        }
    }

    /** Records the first I/O error of this borrow; the entry is then closed on return. */
    void broken(IOException error) {
        if (isOpen() && entry.brokenBy == null) {
            entry.brokenBy = error;
        }
    }

    @Override
    public String toString() {
        return "PooledConnection[" + entry.server.address + (isOpen() ? "]" : ", closed]");
    }

    /** Reads through to the socket; an error or end of stream marks the connection broken. */
    private static final class BorrowedInput extends InputStream {

        private final PooledConnectionHandle handle;

        BorrowedInput(PooledConnectionHandle handle) {
            this.handle = handle;
        }

        @Override
        public int read() throws IOException {
            handle.checkOpen();
            try {
                int b = handle.entry.rawInput.read();
                if (b < 0) {
                    handle.broken(new EOFException("connection closed by " + handle.entry.server.address));
                }
                else {
                    handle.replyStarted = true;
                }
                return b;
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            handle.checkOpen();
            try {
                int n = handle.entry.rawInput.read(buffer, offset, length);
                if (n < 0) {
                    handle.broken(new EOFException("connection closed by " + handle.entry.server.address));
                }
                else if (n > 0) {
                    handle.replyStarted = true;
                }
                return n;
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        @Override
        public int available() throws IOException {
            handle.checkOpen();
            try {
                return handle.entry.rawInput.available();
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
    private static final class BorrowedOutput extends OutputStream {

        private final PooledConnectionHandle handle;

        BorrowedOutput(PooledConnectionHandle handle) {
            this.handle = handle;
        }

        @Override
        public void write(int b) throws IOException {
            handle.checkOpen();
            try {
                handle.entry.rawOutput.write(b);
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            handle.checkOpen();
            try {
                handle.entry.rawOutput.write(buffer, offset, length);
            }
            catch (IOException ex) {
                handle.broken(ex);
                throw ex;
            }
        }

        @Override
        public void flush() throws IOException {
            handle.checkOpen();
            try {
                handle.entry.rawOutput.flush();
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
