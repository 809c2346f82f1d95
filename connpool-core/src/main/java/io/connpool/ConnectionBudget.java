package io.connpool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** Callers parked because the budget was full with nothing idle to evict. */
    private final AtomicInteger starved = new AtomicInteger();

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
     * probes) do not evict, so that pools do not churn each other's warm connections. Returns false if
     * no place could be had.
     */
    boolean reserve(boolean evict) {
        while (true) {
            int current = open.get();
            if (current < max) {
                if (open.compareAndSet(current, current + 1)) {
                    return true;
                }
                continue;
            }
            if (!evict || !evictLeastRecentlyUsed()) {
                return false;
            }
        }
    }

    /** Gives a place back, and tells a waiting pool there is room. */
    void release() {
        open.decrementAndGet();
        for (BudgetMember member : members) {
            if (member.wakeWaiterForBudget()) {
                return;
            }
        }
    }

    void starving(boolean waiting) {
        if (waiting) {
            starved.incrementAndGet();
        }
        else {
            starved.decrementAndGet();
        }
    }

    /**
     * A connection became idle somewhere: a caller starved of budget can now evict it. One volatile read
     * when nobody starves, which is almost always.
     */
    void idleAvailable() {
        if (starved.get() > 0) {
            for (BudgetMember member : members) {
                if (member.wakeWaiterForBudget()) {
                    return;
                }
            }
        }
    }

    /** Closes the least recently used idle connection of any member; false if none was idle. */
    private boolean evictLeastRecentlyUsed() {
        while (true) {
            PoolEntry oldest = null;
            BudgetMember owner = null;
            for (BudgetMember member : members) {
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

        /** Wakes one caller waiting for room; false if none waits. */
        boolean wakeWaiterForBudget();
    }
}
