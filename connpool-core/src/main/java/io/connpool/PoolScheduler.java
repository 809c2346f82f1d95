package io.connpool;

/**
 * Where the pool runs its background work: delayed tasks (probes, housekeeping, leak reports) on one
 * housekeeping thread, and dials on a few dialer threads that end when idle. A seam, like {@link Ticker}:
 * tests run the tasks themselves, at the fake time they are due.
 */
interface PoolScheduler {

    /** Creates the scheduler of one pool; {@code owner} names its threads. */
    @FunctionalInterface
    interface Factory {
        PoolScheduler create(String owner);
    }

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    Cancellable NOT_SCHEDULED = () -> {
    };

    /**
     * Runs the task once after the delay; returns {@link #NOT_SCHEDULED} once shut down. A task that throws is
     * logged, and does not stop the scheduler.
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Runs a dial in the background; false once shut down. */
    boolean dial(Runnable task);

    /** Stops both: pending tasks are dropped and running dials interrupted. */
    void shutdown();
}
