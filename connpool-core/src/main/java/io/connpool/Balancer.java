package io.connpool;

import java.util.concurrent.ThreadLocalRandom;
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
     * Power of two choices: each borrow looks at two servers at random and starts with the one that has fewer
     * connections borrowed now, or, if they have as many, the one whose recent borrows were shorter (an
     * exponentially weighted average of how long each connection was borrowed). A slow server holds its
     * connections longer, so it gets less traffic without being ejected, and gets its share back as soon as
     * it answers quickly again. Costs two atomic updates per borrow that round-robin does not make.
     *
     * @return a new least-loaded balancer
     */
    public static Balancer leastLoaded() {
        return new LeastLoaded();
    }

    /**
     * Returns the index in {@code turns} (the servers not down, in pool order, never empty) of the server to
     * try first. Called on every borrow: must be cheap and must not block.
     */
    abstract int first(ServerPool[] turns);

    /** Whether {@link #released} needs the real borrow time; when nothing does, a return reads no clock. */
    boolean timesBorrows() {
        return false;
    }

    /** A connection of the server was lent. Empty unless the balancer counts load. */
    void leased(ServerPool server) {
    }

    /** A connection of the server came back after {@code usageNanos}. Empty unless the balancer counts load. */
    void released(ServerPool server, long usageNanos) {
    }

    /** What the least-loaded balancer knows of one server; one per server, written only by that balancer. */
    static final class Load {

        final AtomicInteger borrowed = new AtomicInteger();
        /** Average borrow time, each new one weighing 1/8: an update lost to a race only makes it a little older. */
        volatile long recentNanos;

        void record(long usageNanos) {
            long recent = recentNanos;
            recentNanos = recent + ((usageNanos - recent) >> 3);
        }

        /** Passed over in a tie: the average loses 1/16, so that the server is tried again before long. */
        void age(long recent) {
            if (recent != 0) {
                recentNanos = recent - (recent >> 4) - 1;
            }
        }
    }

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

    /** Power of two choices (Mitzenmacher; Finagle's and Envoy's least-request balancers). */
    private static final class LeastLoaded extends Balancer {

        @Override
        int first(ServerPool[] turns) {
            int n = turns.length;
            if (n == 1) {
                return 0;
            }
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int a = random.nextInt(n);
            int b = random.nextInt(n - 1);
            if (b >= a) {
                b++; // two different servers
            }
            return lighter(turns[a].load, turns[b].load) ? a : b;
        }

        /**
         * Whether {@code a} is at most as loaded as {@code b}. The slower of two servers that tie loses, and its
         * average ages a little: one that was slow and is quick again wins a tie again after a few losses (without
         * that, a lone sequential caller, for whom every pair ties at none borrowed, would never try it again).
         */
        private static boolean lighter(Load a, Load b) {
            int borrowedA = a.borrowed.get();
            int borrowedB = b.borrowed.get();
            if (borrowedA != borrowedB) {
                return borrowedA < borrowedB;
            }
            long recentA = a.recentNanos;
            long recentB = b.recentNanos;
            if (recentA <= recentB) {
                b.age(recentB);
                return true;
            }
            a.age(recentA);
            return false;
        }

        @Override
        void leased(ServerPool server) {
            server.load.borrowed.incrementAndGet();
        }

        @Override
        boolean timesBorrows() {
            return true;
        }

        @Override
        void released(ServerPool server, long usageNanos) {
            server.load.borrowed.decrementAndGet();
            server.load.record(usageNanos);
        }

        @Override
        public String toString() {
            return "Balancer.leastLoaded()";
        }
    }
}
