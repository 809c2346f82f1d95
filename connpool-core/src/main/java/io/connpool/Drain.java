package io.connpool;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * After a pool is closed, waits for its borrowed connections to come back: every close of a connection
 * signals, and the waiter looks at the count of open sockets again. Nobody waits here until
 * {@code close(grace)}, so the signal costs a lock only on a closed pool.
 */
final class Drain {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnPool.class);

    private static final long RECHECK_NANOS = 10_000_000L;

    private final ServerSet servers;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();

    Drain(ServerSet servers, Ticker ticker) {
        this.servers = servers;
        this.ticker = ticker;
    }

    /**
     * Waits up to {@code grace} for every socket to close, then force-closes the rest; true if none was left.
     */
    boolean awaitOrForceClose(DefaultConnPool pool, java.time.Duration grace) {
        await(ticker.nanoTime() + Math.max(0, grace.toNanos()));
        int forced = forceClose(pool);
        if (forced > 0) {
            log.warn("Pool '{}' force-closed {} connection(s) still borrowed after the grace period of {} ms",
                    pool.name(), forced, grace.toMillis());
        }
        return forced == 0;
    }

    /** Waits until every socket is closed or the deadline passes; keeps an interrupt for the caller. */
    private void await(long deadlineNanos) {
        lock.lock();
        try {
            while (servers.openConnections() > 0) {
                long left = deadlineNanos - ticker.nanoTime();
                if (left <= 0) {
                    return;
                }
                // every close signals; a dial reservation given back without a socket may not, so look again soon
                drained.awaitNanos(Math.min(left, RECHECK_NANOS));
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            lock.unlock();
        }
    }

    /** A connection of the closed pool closed; true once none is left. */
    boolean signal() {
        lock.lock();
        try {
            drained.signalAll();
        }
        finally {
            lock.unlock();
        }
        return servers.openConnections() == 0;
    }

    /**
     * Closes what is still open after the grace period: idle ones, and borrowed ones whose borrow it ends
     * itself, so that the borrower's handle is closed too, not only its socket. Returns how many.
     */
    private int forceClose(DefaultConnPool pool) {
        int forced = 0;
        for (ServerPool server : servers.all()) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry != null && (entry.forceEndBorrow() || entry.transition(PoolEntry.IDLE, PoolEntry.REMOVED))) {
                    pool.destroyForced(entry);
                    forced++;
                }
            }
        }
        return forced;
    }
}
