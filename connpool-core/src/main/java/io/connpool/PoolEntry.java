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
final class PoolEntry extends PermitCache.Held { // owner-only: the rate-limit permits it took in a batch

    static final int IDLE = 0;
    static final int IN_USE = 1;
    /** Taken by the pool itself: validation, eviction or closing. */
    static final int RESERVED = 2;
    static final int REMOVED = 3;

    private static final long STATE_BITS = 3;

    /** A read deadline the sweep expired; a real deadline never takes this value (nor 0, "no read"). */
    static final long EXPIRED = Long.MIN_VALUE;

    private static final VarHandle WORD;
    private static final VarHandle LAST_USED;
    private static final VarHandle READ_DEADLINE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WORD = lookup.findVarHandle(PoolEntry.class, "word", long.class);
            LAST_USED = lookup.findVarHandle(PoolEntry.class, "lastUsedNanos", long.class);
            READ_DEADLINE = lookup.findVarHandle(PoolEntry.class, "readDeadline", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** How a borrow got its connection, for a retry that must know whether it was reused. */
    static final byte REUSED = 0;
    /** Idle, and checked on this borrow because its last borrow started longer ago than {@code validationInterval}. */
    static final byte VALIDATED = 1;
    /** Dialed for this borrow. */
    static final byte DIALED = 2;

    final ServerPool server;
    /** Written once by the dialer before the entry is published in its slot. */
    int slot;
    /** The server's {@link ServerHealth.Snapshot#generation()} when this was opened. */
    final int generation;
    /** When the dial completed. */
    final long createdNanos;
    final Socket socket;
    final InputStream rawInput;
    final OutputStream rawOutput;
    /** When this connection retires; {@code Long.MAX_VALUE} offset from creation when unlimited. */
    final long expiresNanos;
    final boolean unlimitedLifetime;

    /**
     * The state in the low two bits, and above them the number of borrows ended so far. A handle
     * remembers that number from its lease and ends its borrow by moving the word from
     * {@code (n, IN_USE)} to {@code (n + 1, IDLE or REMOVED)}: one CAS, which succeeds once, so a second
     * close, a close of a stale handle or a close racing a force-close does nothing.
     */
    @SuppressWarnings("unused") // accessed through WORD
    private volatile long word;
    @SuppressWarnings("unused") // accessed through LAST_USED
    private volatile long lastUsedNanos;
    /**
     * When the read in progress through the borrow's input times out (nanoTime), 0 while none is, or
     * {@link #EXPIRED} once {@link ReadDeadlines} closed the socket under it.
     */
    @SuppressWarnings("unused") // accessed through READ_DEADLINE
    private volatile long readDeadline;
    /** The pool's {@code readTimeout}, enforced by these instead of {@code SO_TIMEOUT}; null when it is 0. */
    final ReadDeadlines deadlines;
    /**
     * Owner-only: {@link PooledConnection#socket()} was called once, so the raw socket has {@code SO_TIMEOUT} set
     * for good: a raw reader keeps its read timeout, and only this connection's reads pay for a timed read.
     */
    boolean rawTimeoutSet;
    /** Owner-only: borrows handed out, for {@link PoolStats#acquired()}. */
    long leases;
    /**
     * The id of the thread that returned it last, written before the CAS that makes it idle. Read racily
     * by borrowers as a preference only: a stale value costs a miss, never a wrong hand-out.
     */
    long lastOwner = -1;

    /** Housekeeper-only: {@link #borrow()} when a round last looked at it idle. */
    private long housekeptBorrows;
    /** Housekeeper-only: the round that first found it idle after a borrow ended; idle since no earlier. */
    private long idleFloorNanos;

    /**
     * Owner-only: the stream views of the borrow that last asked for them; a borrow whose handle they do not
     * name makes its own. Kept here rather than on the handle so that the handle stays small.
     */
    PooledConnectionHandle.BorrowedInput input;
    PooledConnectionHandle.BorrowedOutput output;
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
    /** Owner-only: {@link #REUSED}, {@link #VALIDATED} or {@link #DIALED}, for the current borrow. */
    byte origin = DIALED;
    /** Owner-only: the current borrow is its server's one trial on probation. */
    boolean trial;

    PoolEntry(ServerPool server, Socket socket, long nowNanos, long lifetimeNanos, int generation,
            ReadDeadlines deadlines) throws IOException {
        this.server = server;
        this.deadlines = deadlines;
        this.generation = generation;
        this.createdNanos = nowNanos;
        this.socket = socket;
        this.rawInput = socket.getInputStream();
        this.rawOutput = socket.getOutputStream();
        this.unlimitedLifetime = lifetimeNanos <= 0;
        this.expiresNanos = nowNanos + (unlimitedLifetime ? 0 : lifetimeNanos);
        WORD.setRelease(this, (long) IN_USE);
        LAST_USED.setRelease(this, nowNanos);
    }

    int state() {
        return (int) ((long) WORD.getVolatile(this) & STATE_BITS);
    }

    /** Borrows ended so far; the stamp of the current borrow while in use. */
    long borrow() {
        return (long) WORD.getVolatile(this) >>> 2;
    }

    boolean claimIdle() {
        return transition(IDLE, IN_USE);
    }

    boolean reserveIdle() {
        return transition(IDLE, RESERVED);
    }

    /** Moves the state, keeping the borrow count; false if the state was not {@code from}. */
    boolean transition(int from, int to) {
        while (true) {
            long current = (long) WORD.getVolatile(this);
            if ((current & STATE_BITS) != from) {
                return false;
            }
            if (WORD.compareAndSet(this, current, (current & ~STATE_BITS) | to)) {
                return true;
            }
        }
    }

    /** Whether it is still idle as its borrow number {@code ended - 1} left it: nobody took it since. */
    boolean idleAt(long ended) {
        return (long) WORD.getVolatile(this) == ((ended << 2) | IDLE);
    }

    /** Ends borrow number {@code stamp}, moving to {@code to}; true for exactly one caller. */
    boolean endBorrow(long stamp, int to) {
        return WORD.compareAndSet(this, (stamp << 2) | IN_USE, ((stamp + 1) << 2) | to);
    }

    /** A read through the borrow's input starts and must end by {@code deadline}: one ordered store. */
    void armRead(long deadline) {
        READ_DEADLINE.setRelease(this, deadline == 0 || deadline == EXPIRED ? deadline + 1 : deadline);
    }

    /** Whether a read through the borrow's input is in progress and not yet expired. */
    boolean readInProgress() {
        long deadline = (long) READ_DEADLINE.getVolatile(this);
        return deadline != 0 && deadline != EXPIRED;
    }

    /** The read ended; true if the sweep had expired it (its socket is closed: the read timed out). */
    boolean disarmRead() {
        return (long) READ_DEADLINE.getAndSet(this, 0L) == EXPIRED;
    }

    /**
     * For the sweep: if a read is in progress past its deadline, marks it expired and closes the socket, which
     * ends the blocked read. Exactly one of this and the reader's {@link #disarmRead} sees the deadline.
     */
    boolean expireReadIfDue(long nowNanos) {
        long deadline = (long) READ_DEADLINE.getAcquire(this);
        if (deadline == 0 || deadline == EXPIRED || nowNanos - deadline < 0
                || !READ_DEADLINE.compareAndSet(this, deadline, EXPIRED)) {
            return false;
        }
        // the channel under an SSLSocket: closing the SSLSocket itself would first try to send close_notify
        java.nio.channels.SocketChannel channel = socket.getChannel();
        if (channel != null) {
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // closed either way
            }
        }
        Sockets.closeQuietly(socket);
        return true;
    }

    /**
     * Ends the current borrow, whoever holds it, for a forced close: the borrower's handle then finds it
     * closed, as after its own close. True if it was borrowed.
     */
    boolean forceEndBorrow() {
        while (true) {
            long current = (long) WORD.getVolatile(this);
            if ((current & STATE_BITS) != IN_USE) {
                return false;
            }
            if (WORD.compareAndSet(this, current, (((current >>> 2) + 1) << 2) | REMOVED)) {
                return true;
            }
        }
    }

    /** The owner starts a borrow: this borrow's own state starts clean. */
    void startBorrow(long nowNanos) {
        brokenBy = null;
        invalidated = false;
        borrowedNanos = nowNanos;
        leases++;
    }

    /** Records the last use; the state change that follows publishes it. */
    void touch(long nowNanos) {
        LAST_USED.setOpaque(this, nowNanos);
    }

    long lastUsedNanos() {
        return (long) LAST_USED.getOpaque(this);
    }

    /**
     * Housekeeper-only, for an idle entry at a round at {@code nowNanos}: when it went idle, as the housekeeper
     * may count it. A return does not read the clock, so the last use is only when the last borrow started; a
     * borrow that ended since the previous round ended after that round looked, so the idleness is counted from
     * this round instead: an idle timeout then closes a connection late by at most one round, never early.
     */
    long idleSince(long nowNanos) {
        long ended = borrow();
        if (ended != housekeptBorrows) {
            housekeptBorrows = ended;
            idleFloorNanos = nowNanos;
        }
        long used = lastUsedNanos();
        return ended == 0 || used - idleFloorNanos > 0 ? used : idleFloorNanos;
    }

    boolean expired(long nowNanos) {
        return !unlimitedLifetime && nowNanos - expiresNanos >= 0;
    }

    /** Closes the socket; the caller has already taken the entry out of circulation. */
    void closeSocket() {
        Sockets.closeQuietly(socket);
    }

    @Override
    public String toString() {
        return "connection " + socket.getLocalPort() + "->" + server.address;
    }
}
