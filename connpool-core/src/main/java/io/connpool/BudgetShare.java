package io.connpool;

import io.connpool.ConnPoolListener.CloseReason;

/** A pool's part in a shared {@link ConnectionBudget}: what the budget may see of it and close in it. */
final class BudgetShare implements ConnectionBudget.BudgetMember {

    private final DefaultConnPool pool;
    private final ServerSet servers;

    BudgetShare(DefaultConnPool pool, ServerSet servers) {
        this.pool = pool;
        this.servers = servers;
    }

    @Override
    public PoolEntry leastRecentlyUsedIdle() {
        return servers.leastRecentlyUsedIdle();
    }

    @Override
    public boolean evictForBudget(PoolEntry entry) {
        if (entry.reserveIdle()) {
            pool.retire(entry, PoolEntry.RESERVED, CloseReason.BUDGET);
            return true;
        }
        return false;
    }

    @Override
    public int openSockets() {
        return servers.openConnections();
    }

    @Override
    public String toString() {
        return "pool '" + pool.name() + "'";
    }
}
