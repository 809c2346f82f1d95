package io.connpool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses which server a borrow tries first; the borrow then goes on through the others in turn until
 * one can serve. Pick one with the factory methods and give it to {@link ConnPool.Builder#balancer}; each
 * pool needs its own instance (they keep per-pool state).
 */
public abstract class Balancer {

    Balancer() {
    }

    /**
     * Each borrow starts one server further along the servers that are not down: an even share for servers
     * that answer alike. The default.
     *
     * @return a new round-robin balancer
     */
    public static Balancer roundRobin() {
        return new RoundRobin();
    }

    /**
     * Returns the index in {@code turns} (the servers not down, in pool order, never empty) of the server to
     * try first. Called on every borrow: must be cheap and must not block.
     */
    abstract int first(ServerPool[] turns);

    /** Counts turns over the servers not down only, so the share stays even when one is down. */
    private static final class RoundRobin extends Balancer {

        private final AtomicInteger cursor = new AtomicInteger();

        @Override
        int first(ServerPool[] turns) {
            int n = turns.length;
            return n == 1 ? 0 : (cursor.getAndIncrement() & Integer.MAX_VALUE) % n;
        }

        @Override
        public String toString() {
            return "Balancer.roundRobin()";
        }
    }
}
