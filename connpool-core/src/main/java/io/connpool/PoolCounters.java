package io.connpool;

import java.util.concurrent.atomic.LongAdder;

/**
 * The pool's counters. Borrows and returns of live connections count on their entries, written only by
 * their owner (no shared cache line on the hot path); an entry's counts move here when it closes.
 */
final class PoolCounters {

    private final LongAdder retiredLeases = new LongAdder();
    private final LongAdder retiredReturns = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder created = new LongAdder();
    private final LongAdder closed = new LongAdder();

    void created() {
        created.increment();
    }

    void timedOut() {
        timeouts.increment();
    }

    /** The entry closed: its counts move here. */
    void retired(PoolEntry entry) {
        retiredLeases.add(entry.leases);
        retiredReturns.add(entry.borrow());
        closed.increment();
    }

    PoolStats stats(ServerSet servers, int pending, int maxPerServer) {
        ServerPool[] all = servers.all();
        int active = 0;
        int idle = 0;
        long leases = retiredLeases.sum();
        long returns = retiredReturns.sum();
        for (ServerPool server : all) {
            for (int i = 0; i < server.slots.length(); i++) {
                PoolEntry entry = server.slots.get(i);
                if (entry == null) {
                    continue;
                }
                int state = entry.state();
                if (state == PoolEntry.IN_USE) {
                    active++;
                }
                else if (state == PoolEntry.IDLE) {
                    idle++;
                }
                leases += entry.leases;
                returns += entry.borrow();
            }
        }
        return new PoolStats(active, idle, pending, all.length * maxPerServer, leases, returns, timeouts.sum(),
                created.sum(), closed.sum());
    }
}
