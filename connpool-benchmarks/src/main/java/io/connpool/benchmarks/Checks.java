package io.connpool.benchmarks;

import io.connpool.benchmarks.pools.CommonsSocketPool;
import io.connpool.benchmarks.pools.ConnpoolSocketPool;
import io.connpool.benchmarks.pools.HikariSocketPool;
import io.connpool.benchmarks.pools.SocketPool;

/** Sanity checks run after measuring, so a number that measured something else fails the run instead. */
final class Checks {

    private Checks() {
    }

    /** A pool that redialed while measuring timed dials, not borrows. */
    static void noDialsWhileMeasuring(SocketPool<?> pool, int connections) {
        long created = pool instanceof ConnpoolSocketPool connpool ? connpool.created()
                : pool instanceof CommonsSocketPool commons ? commons.created()
                : pool instanceof HikariSocketPool hikari ? hikari.created()
                : connections; // the bag never dials: it holds what fill() added
        if (created != connections) {
            throw new IllegalStateException(pool.getClass().getSimpleName() + " dialed " + created
                    + " connections for " + connections + " slots: connections were lost and redialed while"
                    + " measuring, so the score includes dials");
        }
    }
}
