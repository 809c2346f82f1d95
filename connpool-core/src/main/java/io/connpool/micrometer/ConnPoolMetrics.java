package io.connpool.micrometer;

import io.connpool.ConnPool;
import io.connpool.ConnPoolListener;
import io.connpool.ServerAddress;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import io.github.resilience4j.micrometer.tagged.RateLimiterMetricNames;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetricsPublisher;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of one {@link ConnPool}, named after HikariCP's so that dashboards carry over.
 *
 * <p>Every meter has the tag {@code pool} (the pool's name) plus the tags given to the constructor.
 * Meters that belong to one server also have the tags {@code server} (the address it dials, {@code host:port};
 * for a DNS name expanded into its addresses, the resolved {@code ip:port}) and {@code source} (where it came
 * from: the configured entry, or the name of the {@link io.connpool.ServerSource} that published it):
 * <ul>
 * <li>{@code connpool.connections.active}, {@code connpool.connections.idle} (gauges, per server)</li>
 * <li>{@code connpool.connections.acquire} (timer, per server: how long {@code acquire} took, dialing
 * included), {@code connpool.connections.usage} (timer, per server: how long a connection was borrowed),
 * {@code connpool.connections.creation} (timer, per server: successful dials)</li>
 * <li>{@code connpool.requests.retried} (counter, per server: requests {@code executeIdempotent} sent again
 * after a reused connection to this server failed before any reply)</li>
 * <li>{@code connpool.server.up} (gauge, per server: 1 while {@link ServerState#UP} or
 * {@link ServerState#PROBATION}, else 0)</li>
 * <li>{@code connpool.ratelimiter.available.permissions} and {@code connpool.ratelimiter.waiting.threads}
 * (gauges, per server, only when {@code maxRps > 0} and {@code resilience4j-micrometer} is on the class
 * path; Resilience4j tags them with the limiter's own tags, {@code pool}, {@code server} and {@code source}, and its
 * {@code name}, {@code pool/host:port})</li>
 * </ul>
 * Meters of the pool as a whole carry only {@code pool}: {@code connpool.connections.pending} (callers
 * waiting in {@code acquire}: a waiter is not bound to a server until it is served),
 * {@code connpool.connections.max} (the most connections the pool may open) and
 * {@code connpool.connections.timeout} (acquires that gave up at their timeout, a counter: a timeout
 * happens when no server could serve, so it has no server).
 *
 * <p>Servers added to the pool at run time get their meters when added; the meters of a removed server
 * are removed from the registry. A server announced as added again (a pool rebuilt behind the same
 * {@link ConnPool} object) keeps its meters and has its rate limiter's meters bound anew.
 *
 * <p>A binder created from a built pool misses what the pool did before {@link #bindTo} (its warm-up
 * dials, for example). To count from the first dial, give the builder a {@link Recorder} and bind with it:
 * <pre>{@code
 * ConnPoolMetrics.Recorder recorder = ConnPoolMetrics.recorder();
 * ConnPool pool = ConnPool.builder().servers("10.0.0.1:7000").listener(recorder).build();
 * new ConnPoolMetrics(pool, Tags.empty(), recorder).bindTo(registry);
 * }</pre>
 * Bind an instance once per registry.
 */
public final class ConnPoolMetrics implements MeterBinder {

    private static final String RATE_LIMITER_METRICS =
            "io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetricsPublisher";

    private final ConnPool pool;
    private final Tags tags;
    private final Recorder recorder;

    /**
     * Creates the binder for one pool.
     *
     * @param pool the pool
     */
    public ConnPoolMetrics(ConnPool pool) {
        this(pool, Tags.empty());
    }

    /**
     * Creates the binder for one pool, adding tags to every meter.
     *
     * @param pool the pool
     * @param tags tags added to every meter (besides {@code pool} and {@code server})
     */
    public ConnPoolMetrics(ConnPool pool, Iterable<Tag> tags) {
        this(pool, tags, null);
    }

    /**
     * Creates the binder for a pool built with {@code recorder} as a listener: its meters also count the
     * events the recorder kept before they were bound.
     *
     * @param pool the pool
     * @param tags tags added to every meter (besides {@code pool} and {@code server})
     * @param recorder the recorder given to the pool's builder, or {@code null} to listen from now on
     */
    public ConnPoolMetrics(ConnPool pool, Iterable<Tag> tags, Recorder recorder) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.tags = Tags.of(tags).and("pool", pool.name());
        this.recorder = recorder;
    }

    /**
     * Returns a new recorder, to be given to a pool's builder with {@link ConnPool.Builder#listener} before
     * {@code build()}.
     *
     * @return a recorder
     */
    public static Recorder recorder() {
        return new Recorder();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Binding binding = new Binding(registry);
        Recorder events = recorder;
        if (events == null) {
            // Listen first, through a recorder that holds the events until the servers' meters exist: a server
            // added in between is not missed, and a dial that ends meanwhile (the pool may be built by the
            // servers() call below) is counted.
            events = new Recorder();
            pool.addListener(events);
        }
        binding.bindPool();
        for (ServerStatus server : pool.servers()) {
            binding.bindServer(server.address());
        }
        events.attach(binding);
    }

    /**
     * Keeps a pool's events from its first moments until a {@link ConnPoolMetrics} is bound with it, then
     * forwards them: add it to the builder, so that the warm-up dials {@code build()} starts are counted.
     * At most 1,024 early events are kept; events arriving later than that before a binder is bound are
     * dropped. Early events are replayed into the registries bound while they are pending, that is the
     * first {@link ConnPoolMetrics#bindTo} (a composite registry counts as one).
     */
    public static final class Recorder implements ConnPoolListener {

        private static final int MAX_EARLY_EVENTS = 1024;

        private final List<ConnPoolListener> bindings = new CopyOnWriteArrayList<>();
        private final Queue<Consumer<ConnPoolListener>> early = new ConcurrentLinkedQueue<>();
        private final AtomicInteger earlyCount = new AtomicInteger();
        private volatile boolean attached;

        private Recorder() {
        }

        void attach(ConnPoolListener binding) {
            bindings.add(binding);
            attached = true;
            drain();
        }

        private void drain() {
            Consumer<ConnPoolListener> event;
            while ((event = early.poll()) != null) {
                for (ConnPoolListener binding : bindings) {
                    event.accept(binding);
                }
            }
        }

        private void fire(Consumer<ConnPoolListener> event) {
            if (attached) {
                for (ConnPoolListener binding : bindings) {
                    event.accept(binding);
                }
                return;
            }
            if (earlyCount.incrementAndGet() <= MAX_EARLY_EVENTS) {
                early.add(event);
            }
            if (attached) {
                drain(); // attached while this event was being queued: it must not stay behind
            }
        }

        @Override
        public void dialSucceeded(ServerAddress server, long elapsedNanos) {
            fire(l -> l.dialSucceeded(server, elapsedNanos));
        }

        // acquired and released run on every borrow: once attached, straight to the bindings, no lambda

        @Override
        public void acquired(ServerAddress server, long waitNanos) {
            if (attached) {
                for (ConnPoolListener binding : bindings) {
                    binding.acquired(server, waitNanos);
                }
                return;
            }
            fire(l -> l.acquired(server, waitNanos));
        }

        @Override
        public void released(ServerAddress server, long usageNanos) {
            if (attached) {
                for (ConnPoolListener binding : bindings) {
                    binding.released(server, usageNanos);
                }
                return;
            }
            fire(l -> l.released(server, usageNanos));
        }

        @Override
        public void retried(ServerAddress server, Throwable failure) {
            fire(l -> l.retried(server, failure));
        }

        @Override
        public void serverAdded(ServerAddress server) {
            fire(l -> l.serverAdded(server));
        }

        @Override
        public void serverRemoved(ServerAddress server) {
            fire(l -> l.serverRemoved(server));
        }
    }

    /** The meters of the pool in one registry; follows the pool's server list through its events. */
    private final class Binding implements ConnPoolListener {

        private final MeterRegistry registry;
        private final ConcurrentMap<ServerAddress, ServerMeters> servers = new ConcurrentHashMap<>();
        private final RateLimiterBinding rateLimiters;

        Binding(MeterRegistry registry) {
            this.registry = registry;
            this.rateLimiters = isPresent(RATE_LIMITER_METRICS) ? new RateLimiterBinding(registry) : null;
        }

        void bindPool() {
            Gauge.builder("connpool.connections.pending", pool, p -> p.stats().pending())
                    .description("Callers waiting in acquire for a connection").tags(tags).register(registry);
            Gauge.builder("connpool.connections.max", pool, p -> p.stats().max())
                    .description("Most connections the pool may open, over all its servers").tags(tags)
                    .register(registry);
            FunctionCounter.builder("connpool.connections.timeout", pool, p -> p.stats().timeouts())
                    .description("Acquires that gave up at their timeout").tags(tags).register(registry);
        }

        void bindServer(ServerAddress address) {
            servers.computeIfAbsent(address, this::register);
            if (rateLimiters != null) {
                rateLimiters.bind(address, pool.rateLimiter(address).orElse(null));
            }
        }

        private ServerMeters register(ServerAddress address) {
            String source = pool.server(address).map(ServerStatus::source).orElse(address.toString());
            Tags serverTags = tags.and("server", address.toString(), "source", source);
            List<Meter> gauges = List.of(
                    gauge("connpool.connections.active", "Connections borrowed from the server now", serverTags,
                            address, ServerStatus::active),
                    gauge("connpool.connections.idle", "Open connections to the server waiting in the pool",
                            serverTags, address, ServerStatus::idle),
                    gauge("connpool.server.up", "1 while the server is up or on probation (it answered its probe),"
                            + " 0 while it is down or not yet dialed", serverTags, address,
                            status -> status.state() == ServerState.UP || status.state() == ServerState.PROBATION
                                    ? 1 : 0));
            Timer acquire = Timer.builder("connpool.connections.acquire")
                    .description("Time to acquire a connection, dialing included").tags(serverTags).register(registry);
            Timer usage = Timer.builder("connpool.connections.usage")
                    .description("Time a connection was borrowed").tags(serverTags).register(registry);
            Timer creation = Timer.builder("connpool.connections.creation")
                    .description("Time to open a connection").tags(serverTags).register(registry);
            Counter retried = Counter.builder("connpool.requests.retried")
                    .description("Requests executeIdempotent sent again after a reused connection to the server"
                            + " failed before any reply")
                    .tags(serverTags).register(registry);
            return new ServerMeters(gauges, acquire, usage, creation, retried);
        }

        /** Reads this one server's status, not every server's (a scrape reads each gauge of each server). */
        private Gauge gauge(String name, String description, Tags serverTags, ServerAddress address,
                ToDoubleFunction<ServerStatus> value) {
            return Gauge.builder(name, pool, p -> p.server(address).map(value::applyAsDouble).orElse(Double.NaN))
                    .description(description).tags(serverTags).register(registry);
        }

        @Override
        public void serverAdded(ServerAddress server) {
            bindServer(server);
        }

        @Override
        public void serverRemoved(ServerAddress server) {
            ServerMeters meters = servers.remove(server);
            if (meters != null) {
                meters.removeFrom(registry);
            }
            if (rateLimiters != null) {
                rateLimiters.bind(server, null);
            }
        }

        @Override
        public void acquired(ServerAddress server, long waitNanos) {
            ServerMeters meters = servers.get(server);
            if (meters != null) {
                meters.acquire.record(waitNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void released(ServerAddress server, long usageNanos) {
            ServerMeters meters = servers.get(server);
            if (meters != null) {
                meters.usage.record(usageNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void dialSucceeded(ServerAddress server, long elapsedNanos) {
            ServerMeters meters = servers.get(server);
            if (meters != null) {
                meters.creation.record(elapsedNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void retried(ServerAddress server, Throwable failure) {
            ServerMeters meters = servers.get(server);
            if (meters != null) {
                meters.retried.increment();
            }
        }
    }

    private record ServerMeters(List<Meter> gauges, Timer acquire, Timer usage, Timer creation, Counter retried) {

        void removeFrom(MeterRegistry registry) {
            gauges.forEach(registry::remove);
            registry.remove(acquire);
            registry.remove(usage);
            registry.remove(creation);
            registry.remove(retried);
        }
    }

    /**
     * Resilience4j's own per-limiter publisher (public API), bound to the limiter each server has now: a
     * limiter replaced (the pool rebuilt) has its meters moved to the new one. Loaded only when
     * resilience4j-micrometer is present.
     */
    private static final class RateLimiterBinding {

        private final TaggedRateLimiterMetricsPublisher publisher;
        private final ReentrantLock lock = new ReentrantLock();
        private final Map<ServerAddress, RateLimiter> bound = new HashMap<>();

        RateLimiterBinding(MeterRegistry registry) {
            this.publisher = new TaggedRateLimiterMetricsPublisher(RateLimiterMetricNames.custom()
                    .availablePermissionsMetricName("connpool.ratelimiter.available.permissions")
                    .waitingThreadsMetricName("connpool.ratelimiter.waiting.threads")
                    .build(), registry);
        }

        /** Binds the server's current limiter ({@code null}: none, or the server is gone). */
        void bind(ServerAddress server, RateLimiter current) {
            lock.lock();
            try {
                RateLimiter previous = bound.get(server);
                if (previous == current) {
                    return;
                }
                if (previous != null) {
                    publisher.removeMetrics(previous);
                    bound.remove(server);
                }
                if (current != null) {
                    publisher.publishMetrics(current);
                    bound.put(server, current);
                }
            }
            finally {
                lock.unlock();
            }
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, ConnPoolMetrics.class.getClassLoader());
            return true;
        }
        catch (ClassNotFoundException | LinkageError ex) {
            return false;
        }
    }
}
