package io.connpool.micrometer;

import io.connpool.ConnPool;
import io.connpool.ConnPoolListener;
import io.connpool.ServerAddress;
import io.connpool.ServerState;
import io.connpool.ServerStatus;
import io.github.resilience4j.micrometer.tagged.RateLimiterMetricNames;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.InMemoryRateLimiterRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters of one {@link ConnPool}, named after HikariCP's so that dashboards carry over.
 *
 * <p>Every meter has the tag {@code pool} (the pool's name) plus the tags given to the constructor.
 * Meters that belong to one server also have the tag {@code server} ({@code host:port}):
 * <ul>
 * <li>{@code connpool.connections.active}, {@code connpool.connections.idle} (gauges, per server)</li>
 * <li>{@code connpool.connections.acquire} (timer, per server: how long {@code acquire} took, dialing
 * included), {@code connpool.connections.usage} (timer, per server: how long a connection was borrowed),
 * {@code connpool.connections.creation} (timer, per server: successful dials)</li>
 * <li>{@code connpool.server.up} (gauge, per server: 1 while {@link ServerState#UP}, else 0)</li>
 * <li>{@code connpool.ratelimiter.available.permissions} and {@code connpool.ratelimiter.waiting.threads}
 * (gauges, per server, only when {@code maxRps > 0} and {@code resilience4j-micrometer} is on the class
 * path; Resilience4j also tags them with the limiter's {@code name}, {@code pool/host:port})</li>
 * </ul>
 * Meters of the pool as a whole carry only {@code pool}: {@code connpool.connections.pending} (callers
 * waiting in {@code acquire}: a waiter is not bound to a server until it is served),
 * {@code connpool.connections.max} (the most connections the pool may open) and
 * {@code connpool.connections.timeout} (acquires that gave up at their timeout, a counter: a timeout
 * happens when no server could serve, so it has no server).
 *
 * <p>Servers added to the pool at run time get their meters when added; the meters of a removed server
 * are removed from the registry. Bind an instance once per registry.
 */
public final class ConnPoolMetrics implements MeterBinder {

    private static final String RATE_LIMITER_METRICS =
            "io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics";

    private final ConnPool pool;
    private final Tags tags;

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
        this.pool = Objects.requireNonNull(pool, "pool");
        this.tags = Tags.of(tags).and("pool", pool.name());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Binding binding = new Binding(registry);
        // Listen first, then register the servers present now: a server added in between is not missed
        // (registering its meters twice is harmless).
        pool.addListener(binding);
        binding.bindPool();
        for (ServerStatus server : pool.servers()) {
            binding.bindServer(server.address());
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
                pool.rateLimiter(address).ifPresent(rateLimiters::add);
            }
        }

        private ServerMeters register(ServerAddress address) {
            Tags serverTags = tags.and("server", address.toString());
            List<Meter> gauges = List.of(
                    gauge("connpool.connections.active", "Connections borrowed from the server now", serverTags,
                            address, ServerStatus::active),
                    gauge("connpool.connections.idle", "Open connections to the server waiting in the pool",
                            serverTags, address, ServerStatus::idle),
                    gauge("connpool.server.up", "1 while the server is up, 0 while it is down or not yet dialed",
                            serverTags, address, status -> status.state() == ServerState.UP ? 1 : 0));
            Timer acquire = Timer.builder("connpool.connections.acquire")
                    .description("Time to acquire a connection, dialing included").tags(serverTags).register(registry);
            Timer usage = Timer.builder("connpool.connections.usage")
                    .description("Time a connection was borrowed").tags(serverTags).register(registry);
            Timer creation = Timer.builder("connpool.connections.creation")
                    .description("Time to open a connection").tags(serverTags).register(registry);
            return new ServerMeters(gauges, acquire, usage, creation);
        }

        private Gauge gauge(String name, String description, Tags serverTags, ServerAddress address,
                ToDoubleFunction<ServerStatus> value) {
            return Gauge.builder(name, pool, p -> {
                for (ServerStatus status : p.servers()) {
                    if (status.address().equals(address)) {
                        return value.applyAsDouble(status);
                    }
                }
                return Double.NaN; // removed: its meters are being removed too
            }).description(description).tags(serverTags).register(registry);
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
                rateLimiters.remove(pool.name() + "/" + server);
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
    }

    private record ServerMeters(List<Meter> gauges, Timer acquire, Timer usage, Timer creation) {

        void removeFrom(MeterRegistry registry) {
            gauges.forEach(registry::remove);
            registry.remove(acquire);
            registry.remove(usage);
            registry.remove(creation);
        }
    }

    /**
     * Resilience4j's own binder over a registry that holds the pool's limiters, so that its meters come
     * and go with the servers. Loaded only when resilience4j-micrometer is present.
     */
    private static final class RateLimiterBinding {

        private final PoolRateLimiters limiters = new PoolRateLimiters();

        RateLimiterBinding(MeterRegistry registry) {
            TaggedRateLimiterMetrics.ofRateLimiterRegistry(RateLimiterMetricNames.custom()
                    .availablePermissionsMetricName("connpool.ratelimiter.available.permissions")
                    .waitingThreadsMetricName("connpool.ratelimiter.waiting.threads")
                    .build(), limiters).bindTo(registry);
        }

        void add(RateLimiter limiter) {
            limiters.add(limiter);
        }

        void remove(String name) {
            limiters.remove(name);
        }
    }

    /** A registry of limiters the pool already made (Resilience4j's registries only make their own). */
    private static final class PoolRateLimiters extends InMemoryRateLimiterRegistry {

        PoolRateLimiters() {
            super(RateLimiterConfig.ofDefaults());
        }

        void add(RateLimiter limiter) {
            computeIfAbsent(limiter.getName(), () -> limiter);
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
