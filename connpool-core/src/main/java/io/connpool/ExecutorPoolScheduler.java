package io.connpool;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link PoolScheduler}: one daemon housekeeping thread, and up to {@value #DIALER_THREADS}
 * daemon dialer threads that end after 10 s idle. No thread per server or per connection.
 */
final class ExecutorPoolScheduler implements PoolScheduler {

    static final Factory FACTORY = ExecutorPoolScheduler::new;

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    /** A few, so that one server whose dials hang for their whole timeout does not hold up the others. */
    private static final int DIALER_THREADS = 4;

    private final ScheduledThreadPoolExecutor housekeeping;
    private final ThreadPoolExecutor dialers;

    ExecutorPoolScheduler(String owner) {
        this.housekeeping = new ScheduledThreadPoolExecutor(1, threads(owner, "housekeeper"));
        this.housekeeping.setRemoveOnCancelPolicy(true);
        this.housekeeping.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        // a managed connection has nothing scheduled while connected: no thread lingers then
        this.housekeeping.setKeepAliveTime(10, TimeUnit.SECONDS);
        this.housekeeping.allowCoreThreadTimeOut(true);
        this.dialers = new ThreadPoolExecutor(DIALER_THREADS, DIALER_THREADS, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads(owner, "dialer"));
        this.dialers.allowCoreThreadTimeOut(true);
    }

    private static ThreadFactory threads(String owner, String role) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "connpool-" + owner + "-" + role + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        try {
            ScheduledFuture<?> future = housekeeping.schedule(() -> runLogged(task), Math.max(0, delayNanos),
                    TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        }
        catch (RejectedExecutionException shutDown) {
            return NOT_SCHEDULED;
        }
    }

    @Override
    public boolean dial(Runnable task) {
        try {
            dialers.execute(() -> runLogged(task));
            return true;
        }
        catch (RejectedExecutionException shutDown) {
            return false;
        }
    }

    /** An exception must not kill the thread's later tasks, nor vanish into a Future nobody reads. */
    private static void runLogged(Runnable task) {
        try {
            task.run();
        }
        catch (RuntimeException ex) {
            log.warn("A background task of connpool failed; it is not retried until its next turn", ex);
        }
    }

    @Override
    public void shutdown() {
        housekeeping.shutdownNow();
        dialers.shutdownNow();
    }
}
