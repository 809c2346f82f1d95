package io.connpool;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when a borrow outlives {@code leakDetectionThreshold}, with the stack trace of the code that
 * borrowed it; cancelled when the connection comes back in time.
 */
final class LeakReport implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final String poolName;
    private final ServerAddress server;
    private final long thresholdMillis;
    private final Throwable borrowSite;
    private final PoolScheduler.Cancellable task;
    private volatile boolean reported;

    private LeakReport(String poolName, ServerAddress server, long thresholdNanos, PoolScheduler scheduler) {
        this.poolName = poolName;
        this.server = server;
        this.thresholdMillis = TimeUnit.NANOSECONDS.toMillis(thresholdNanos);
        Thread borrower = Thread.currentThread();
        this.borrowSite = new Throwable("Connection borrowed here by thread '" + borrower.getName() + "'");
        this.task = scheduler.schedule(this, thresholdNanos);
    }

    static LeakReport start(String poolName, ServerAddress server, long thresholdNanos, PoolScheduler scheduler) {
        return new LeakReport(poolName, server, thresholdNanos, scheduler);
    }

    @Override
    public void run() {
        reported = true;
        log.warn("Possible connection leak: a connection to {} from pool '{}' has been borrowed for more than {} ms"
                + " and not returned. Close every PooledConnection (try-with-resources), or raise"
                + " leakDetectionThreshold if borrows this long are expected.", server, poolName, thresholdMillis,
                borrowSite);
    }

    /** The connection came back. */
    void returned() {
        task.cancel();
        if (reported) {
            log.info("The connection to {} from pool '{}' reported as a possible leak has been returned", server,
                    poolName);
        }
    }
}
