package io.connpool;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServerSource} that repeats a lookup at an interval and publishes its result when it changed; made
 * by {@link ServerSource#polling}. Given to a pool, it runs on the pool's own background threads (no thread of
 * its own); started by hand, on one daemon thread of its own until {@link #close()}.
 */
public final class PollingServerSource implements ServerSource {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);

    private final String name;
    private final long intervalNanos;
    private final Callable<? extends Collection<ServerAddress>> lookup;
    private final AtomicBoolean started = new AtomicBoolean();
    /** Why the last lookup failed, shown by the servers it published; read by the pool. */
    final ServerOrigin.Problem problem = new ServerOrigin.Problem();
    private volatile RefreshLoop loop;
    private volatile PoolScheduler ownScheduler;
    private volatile boolean closed;
    private Consumer<List<ServerAddress>> publish;
    private Ticker ticker = Ticker.SYSTEM;
    /** Guarded by the loop (rounds never overlap): what was published last, null before the first list. */
    private Set<ServerAddress> last;
    /** Guarded by the loop: failed lookups in a row. */
    private int failures;

    PollingServerSource(String name, Duration interval, Callable<? extends Collection<ServerAddress>> lookup) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A polling server source needs a name (a service id, say), was '"
                    + name + "'");
        }
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("The interval of server source '" + name + "' must be positive, was "
                    + interval);
        }
        this.name = name;
        this.intervalNanos = interval.toNanos();
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    /**
     * Looks up once now, in this thread, then every interval on a daemon thread of this source's own.
     *
     * @param servers takes each list that differs from the one before
     * @throws IllegalStateException if it was started before
     */
    @Override
    public void start(Consumer<List<ServerAddress>> servers) {
        PoolScheduler scheduler = ExecutorPoolScheduler.FACTORY.create("source-" + name);
        ownScheduler = scheduler;
        start(servers, scheduler, Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(1)), Ticker.SYSTEM);
    }

    /** Started by a pool: on its scheduler, with its backoff and clock. */
    void start(Consumer<List<ServerAddress>> servers, PoolScheduler scheduler, Backoff backoff, Ticker clock) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("Server source '" + name + "' was started already: a source serves one"
                    + " pool; make one per pool");
        }
        this.publish = Objects.requireNonNull(servers, "servers");
        this.ticker = clock;
        RefreshLoop refresh = new RefreshLoop("server source '" + name + "'", scheduler, backoff, intervalNanos,
                this::poll);
        loop = refresh;
        refresh.start();
    }

    /** Asks for a lookup now (a registry said something changed); returns at once. No effect before start. */
    public void refresh() {
        RefreshLoop refresh = loop;
        if (refresh != null) {
            refresh.refreshNow();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        closed = true;
        RefreshLoop refresh = loop;
        if (refresh != null) {
            refresh.stop();
        }
        PoolScheduler own = ownScheduler;
        if (own != null) {
            own.shutdown();
        }
    }

    private boolean poll() {
        if (closed) {
            return true;
        }
        List<ServerAddress> found;
        try {
            Collection<ServerAddress> result = lookup.call();
            if (result == null) {
                throw new IllegalStateException("the lookup returned null instead of a list");
            }
            if (result.stream().anyMatch(Objects::isNull)) { // not contains(null): List.of(..) would throw
                throw new IllegalStateException("the lookup returned a list holding null: " + result);
            }
            found = List.copyOf(new LinkedHashSet<>(result));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt(); // the source or its pool is closing
            return true;
        }
        catch (Exception ex) {
            failed(ex);
            return false;
        }
        if (failures > 0) {
            log.info("Server source '{}' looked up its servers again after {} failed attempt(s)", name, failures);
            failures = 0;
        }
        problem.set(null);
        Set<ServerAddress> now = Set.copyOf(found);
        if (!now.equals(last) && !closed) {
            last = now;
            publish.accept(found);
        }
        return true;
    }

    private void failed(Exception ex) {
        failures++;
        String kept = last == null ? "it has published no servers yet"
                : "the " + last.size() + " server(s) of its last good lookup stay";
        problem.set("lookup failed at " + Instant.ofEpochMilli(ticker.wallMillis()) + ": " + PoolErrors.describe(ex)
                + "; " + kept);
        if (failures == 1) {
            log.warn("Server source '{}' could not look up its servers: {}; {}, and it tries again with backoff", name,
                    PoolErrors.describe(ex), kept, ex);
        }
        else {
            log.debug("Server source '{}' still cannot look up its servers (attempt {}): {}", name, failures,
                    PoolErrors.describe(ex));
        }
    }

    @Override
    public String toString() {
        return "ServerSource.polling(" + name + ", every " + Duration.ofNanos(intervalNanos) + ")";
    }
}
