package io.connpool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A cap on open sockets shared by any number of pools (and {@link ManagedConnection}s), so that a
 * process talking to many servers cannot run out of file descriptors.
 *
 * <p>Every open socket of every pool sharing the budget counts. When it is full and a pool needs a new
 * connection, the least recently used idle connection of any pool in the budget is closed to make room;
 * if none is idle, {@code acquire} waits (within its timeout) for a socket to close and
 * {@code tryAcquire} throws {@link PoolExhaustedException}.
 */
public final class ConnectionBudget {

    /** Used when the file-descriptor limit cannot be read. */
    static final int DEFAULT_WHEN_UNKNOWN = 900;

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final List<BudgetMember> members = new CopyOnWriteArrayList<>();
    /**
     * Callers waiting for a place, oldest first. A freed place is handed to the oldest claim directly, so the
     * threads of a busy pool cannot re-take it before a starved caller of a quiet pool gets its turn.
     */
    private final Queue<Claim> claims = new ConcurrentLinkedQueue<>();
    /** Claims still waiting; read on every release of a budgeted pool, so one volatile read when none. */
    private final AtomicInteger waitingClaims = new AtomicInteger();

    private ConnectionBudget(int max) {
        this.max = max;
    }

    /**
     * Creates a budget of {@code max} sockets.
     *
     * @param max positive
     * @return the budget
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    public static ConnectionBudget of(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("ConnectionBudget max must be at least 1, was " + max);
        }
        return new ConnectionBudget(max);
    }

    /**
     * Creates a budget from the process's soft limit on open files: {@code floor((soft − 50) / 100) × 100},
     * leaving room for the files and sockets the rest of the process opens; never below 1, and 900 where
     * the limit cannot be read (not Linux).
     *
     * @return the budget
     */
    public static ConnectionBudget fromFileDescriptorLimit() {
        return new ConnectionBudget(forSoftLimit(readSoftFileLimit()));
    }

    /** The budget for a soft limit; {@code -1} means unknown. */
    static int forSoftLimit(long softLimit) {
        if (softLimit < 0) {
            return DEFAULT_WHEN_UNKNOWN;
        }
        long budget = (softLimit - 50) / 100 * 100;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget));
    }

    /** Reads "Max open files" from {@code /proc/self/limits}; {@code -1} if unknown or unlimited. */
    static long readSoftFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                    return fields[0].equals("unlimited") ? -1 : Long.parseLong(fields[0]);
                }
            }
        }
        catch (Exception ex) {
            // not Linux, or /proc not mounted: fall back to the default
        }
        return -1;
    }

    /**
     * Returns the most sockets the pools sharing this budget may have open.
     *
     * @return the cap
     */
    public int max() {
        return max;
    }

    /**
     * Returns the sockets open now (and dials in progress) across every pool sharing this budget.
     *
     * @return the count
     */
    public int open() {
        return open.get();
    }

    void register(BudgetMember member) {
        members.add(member);
    }

    void unregister(BudgetMember member) {
        members.remove(member);
    }

    /**
     * Takes a place for a new socket. If the budget is full and {@code evict} is set, closes the least
     * recently used idle connection anywhere in the budget to make room; background dials (refill,
     * probes) do not evict, so that pools do not churn each other's warm connections. While claims wait,
     * nobody else takes a place: a caller that finds the budget full queues behind them with
     * {@link #claim}. Returns false if no place could be had.
     */
    boolean reserve(boolean evict) {
        while (waitingClaims.get() == 0) {
            int current = open.get();
            if (current < max) {
                if (open.compareAndSet(current, current + 1)) {
                    return true;
                }
                continue;
            }
            if (!evict || !evictLeastRecentlyUsed(false)) {
                return false;
            }
        }
        return false;
    }

    /** Gives a place back: to the oldest waiting claim if there is one. */
    void release() {
        open.decrementAndGet();
        grantWaiting();
    }

    /**
     * Queues a caller for the next free place. If an idle connection anywhere in the budget can be closed for
     * it, that happens now; else the place of the next socket to close is handed to the oldest claim, whose
     * thread is unparked. Cancel the claim when done waiting, granted or not.
     */
    Claim claim(BudgetMember member) {
        Claim claim = new Claim(member, Thread.currentThread());
        waitingClaims.incrementAndGet();
        claims.add(claim);
        grantWaiting();
        if (claim.isWaiting()) {
            evictLeastRecentlyUsed(true); // its close releases a place, which goes to the oldest claim
        }
        return claim;
    }

    /** Stops waiting; a place granted but not used goes back to the budget. */
    void cancel(Claim claim) {
        if (claim.state.compareAndSet(Claim.WAITING, Claim.CANCELLED)) {
            waitingClaims.decrementAndGet();
            claims.remove(claim);
        }
        else if (claim.state.compareAndSet(Claim.GRANTED, Claim.CANCELLED)) {
            release();
        }
    }

    /**
     * Whether a pool returning a connection should close it so that its place goes to a starved caller of
     * another pool: a claim of another member waits, and this member holds more than its share of the budget
     * ({@code max} divided among the members). Above its share only, so that two busy pools settle on a
     * split instead of handing sockets back and forth. One volatile read when no claim waits.
     */
    boolean wantsPlaceFrom(BudgetMember member) {
        if (waitingClaims.get() == 0 || member.openSockets() <= share()) {
            return false;
        }
        for (Claim claim : claims) {
            if (claim.member != member && claim.isWaiting()) {
                return true;
            }
        }
        return false;
    }

    /** A connection became idle somewhere: a waiting claim can have its place. */
    void idleAvailable() {
        if (waitingClaims.get() > 0) {
            evictLeastRecentlyUsed(true);
        }
    }

    /** An even split among the members; a member holding more than this gives way to starved ones. */
    private int share() {
        return max / Math.max(1, members.size());
    }

    private void grantWaiting() {
        while (waitingClaims.get() > 0) {
            Claim head = claims.peek();
            if (head == null) {
                return;
            }
            if (!head.isWaiting()) {
                claims.remove(head); // cancelled: its canceller counted it out
                continue;
            }
            int current = open.get();
            if (current >= max) {
                return;
            }
            if (!open.compareAndSet(current, current + 1)) {
                continue;
            }
            if (head.state.compareAndSet(Claim.WAITING, Claim.GRANTED)) {
                waitingClaims.decrementAndGet();
                claims.remove(head);
                LockSupport.unpark(head.thread);
            }
            else {
                open.decrementAndGet(); // cancelled meanwhile: the place is free again
            }
        }
    }

    /**
     * Closes the least recently used idle connection of any member (for a waiting claim: of a member above its
     * share only); false if none was idle.
     */
    private boolean evictLeastRecentlyUsed(boolean overShareOnly) {
        while (true) {
            PoolEntry oldest = null;
            BudgetMember owner = null;
            for (BudgetMember member : members) {
                if (overShareOnly && member.openSockets() <= share()) {
                    continue;
                }
                PoolEntry candidate = member.leastRecentlyUsedIdle();
                if (candidate != null && (oldest == null || candidate.lastUsedNanos() - oldest.lastUsedNanos() < 0)) {
                    oldest = candidate;
                    owner = member;
                }
            }
            if (oldest == null) {
                return false;
            }
            if (owner.evictForBudget(oldest)) {
                return true;
            }
            // another thread borrowed or evicted it first: look again
        }
    }

    @Override
    public String toString() {
        return "ConnectionBudget[open=" + open.get() + ", max=" + max + "]";
    }

    /** A pool (or managed connection) whose sockets count against a budget. */
    interface BudgetMember {

        /** The idle connection used least recently, or null; not claimed. */
        PoolEntry leastRecentlyUsedIdle();

        /** Claims and closes the entry if it is still idle; the budget place is given back by the close. */
        boolean evictForBudget(PoolEntry entry);

        /** Its sockets open now, dials in progress included. */
        int openSockets();
    }

    /** One caller's place in line. */
    static final class Claim {

        static final int WAITING = 0;
        static final int GRANTED = 1;
        static final int USED = 2;
        static final int CANCELLED = 3;

        final BudgetMember member;
        final Thread thread;
        final AtomicInteger state = new AtomicInteger(WAITING);

        Claim(BudgetMember member, Thread thread) {
            this.member = member;
            this.thread = thread;
        }

        boolean isWaiting() {
            return state.get() == WAITING;
        }

        /** Used for a dial or cancelled: a caller still short of a place needs a new claim. */
        boolean isSpent() {
            int current = state.get();
            return current == USED || current == CANCELLED;
        }

        /** Takes the granted place for a dial: true once, if granted. */
        boolean useGrant() {
            return state.compareAndSet(GRANTED, USED);
        }
    }
}
