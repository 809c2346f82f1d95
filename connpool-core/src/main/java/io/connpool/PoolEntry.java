package io.connpool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;

/**
 * One open connection and its bookkeeping. Ownership moves by compare-and-set on {@link #state}: a
 * thread owns the entry while it is {@link #IN_USE} or {@link #RESERVED}, and only the owner changes the
 * plain fields.
 */
final class PoolEntry {

    static final int IDLE = 0;
    static final int IN_USE = 1;
    /** Taken by the pool itself: validation, eviction or closing. */
    static final int RESERVED = 2;
    static final int REMOVED = 3;

    private static final VarHandle STATE;
    private static final VarHandle LAST_USED;
    private static final VarHandle BORROW;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(PoolEntry.class, "state", int.class);
            LAST_USED = lookup.findVarHandle(PoolEntry.class, "lastUsedNanos", long.class);
            BORROW = lookup.findVarHandle(PoolEntry.class, "borrow", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final ServerPool server;
    /** Written once by the dialer before the entry is published in its slot. */
    int slot;
    final Socket socket;
    final InputStream rawInput;
    final OutputStream rawOutput;
    final long createdNanos;
    /** When this connection retires; {@code Long.MAX_VALUE} offset from creation when unlimited. */
    final long expiresNanos;
    final boolean unlimitedLifetime;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    @SuppressWarnings("unused") // accessed through LAST_USED
    private volatile long lastUsedNanos;
    /**
     * Counts borrows. A handle remembers the value it was leased at and gives the entry back by moving it
     * on, once: a second close, or a close of a stale handle, finds it moved and does nothing.
     */
    @SuppressWarnings("unused") // accessed through BORROW
    private volatile long borrow;

    /** Owner-only: set when an I/O error went through this borrow's streams. */
    Throwable brokenBy;
    /** Owner-only: set by {@link PooledConnection#invalidate()}. */
    boolean invalidated;
    /** Set by soft evict: retire on return (or on the next borrow) instead of reuse. */
    volatile boolean evictOnReturn;
    /** Owner-only: when the current borrow started. */
    long borrowedNanos;
    /** Owner-only: the current borrow's leak report, when leak detection is on. */
    LeakReport leakReport;

    PoolEntry(ServerPool server, Socket socket, long nowNanos, long lifetimeNanos) throws IOException {
        this.server = server;
        this.socket = socket;
        this.rawInput = socket.getInputStream();
        this.rawOutput = socket.getOutputStream();
        this.createdNanos = nowNanos;
        this.unlimitedLifetime = lifetimeNanos <= 0;
        this.expiresNanos = nowNanos + (unlimitedLifetime ? 0 : lifetimeNanos);
        STATE.setRelease(this, IN_USE);
        LAST_USED.setRelease(this, nowNanos);
    }

    int state() {
        return (int) STATE.getVolatile(this);
    }

    boolean claimIdle() {
        return STATE.compareAndSet(this, IDLE, IN_USE);
    }

    boolean reserveIdle() {
        return STATE.compareAndSet(this, IDLE, RESERVED);
    }

    boolean transition(int from, int to) {
        return STATE.compareAndSet(this, from, to);
    }

    /** Records the last use; the caller owns the entry, and the state change that follows publishes it. */
    void touch(long nowNanos) {
        LAST_USED.setOpaque(this, nowNanos);
    }

    long borrow() {
        return (long) BORROW.getVolatile(this);
    }

    /** Ends borrow number {@code stamp}; true for exactly one caller. */
    boolean endBorrow(long stamp) {
        return BORROW.compareAndSet(this, stamp, stamp + 1);
    }

    long lastUsedNanos() {
        return (long) LAST_USED.getOpaque(this);
    }

    boolean expired(long nowNanos) {
        return !unlimitedLifetime && nowNanos - expiresNanos >= 0;
    }

    /** Closes the socket; the caller has already taken the entry out of circulation. */
    void closeSocket() {
        try {
            socket.close();
        }
        catch (IOException ignored) {
            // nothing useful to do: the connection is gone either way
        }
    }

    @Override
    public String toString() {
        return "connection " + socket.getLocalPort() + "->" + server.address;
    }
}
