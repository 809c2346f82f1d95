package io.connpool.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the auto-configured pools with the context (before the web server takes traffic) and stops them
 * after the web server has drained its requests: new acquires fail with
 * {@link io.connpool.PoolClosedException} at once, borrowed connections may finish their work until the
 * grace period, derived from {@code spring.lifecycle.timeout-per-shutdown-phase}, is over. A context started
 * again (a restart, a CRaC restore) builds every pool anew behind the same beans. {@code ConnPool} beans of
 * the application's own are left to the application (closed when the context closes).
 */
final class ConnPoolLifecycle implements SmartLifecycle {

    /** Below the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}), so it stops after it. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    private static final Logger log = LoggerFactory.getLogger(ConnPoolLifecycle.class);

    private final List<AutoConfiguredConnPool> pools;
    private final Duration grace;
    private volatile boolean running;

    /**
     * @param phaseTimeout the lifecycle processor's limit for one phase; the pools force-close borrowed
     *        connections a little before it, so the processor does not give up on this phase first
     */
    ConnPoolLifecycle(ConnPools pools, Duration phaseTimeout) {
        this.pools = pools.asMap().values().stream()
                .filter(AutoConfiguredConnPool.class::isInstance)
                .map(AutoConfiguredConnPool.class::cast)
                .toList();
        long margin = Math.min(TimeUnit.SECONDS.toNanos(1), phaseTimeout.toNanos() / 10);
        this.grace = Duration.ofNanos(Math.max(0, phaseTimeout.toNanos() - margin));
    }

    @Override
    public void start() {
        pools.forEach(AutoConfiguredConnPool::start);
        running = true;
    }

    @Override
    public void stop() {
        // Refuse new acquires everywhere first, then wait for all borrowers against one deadline.
        pools.forEach(AutoConfiguredConnPool::stop);
        long deadline = System.nanoTime() + grace.toNanos();
        for (AutoConfiguredConnPool pool : pools) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!pool.awaitStopped(left)) {
                log.warn("Pool '{}' force-closed connections still borrowed after {} ms of shutdown grace", pool.name(),
                        grace.toMillis());
            }
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    Duration grace() {
        return grace;
    }
}
