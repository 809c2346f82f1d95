package io.connpool;

import io.github.resilience4j.ratelimiter.RateLimiter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A pool of persistent TCP (or TLS) connections to one or more interchangeable servers.
 *
 * <pre>{@code
 * ConnPool pool = ConnPool.builder()
 *     .name("billing")
 *     .servers("10.0.0.1:7000", "10.0.0.2:7000")
 *     .maxConnectionsPerServer(8)
 *     .build();
 *
 * try (PooledConnection c = pool.acquire()) {
 *     c.output().write(request);
 *     c.input().read(reply);
 * }
 * }</pre>
 *
 * <p>Each acquire goes round-robin to the next server that is not {@link ServerState#DOWN}, has a
 * rate-limit permit and has an idle connection or room to dial one. A server whose dial fails is put in
 * backoff and probed in the background; callers never wait on it. Thread-safe.
 */
public interface ConnPool extends AutoCloseable {

    /**
     * Returns a builder with every option at its default.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Borrows a connection, waiting up to {@code acquireTimeout}.
     *
     * @return a connection, to be closed by the caller
     * @throws NoServerAvailableException if every server stayed down until the timeout
     * @throws AcquireTimeoutException if no connection could be had in time for another reason
     * @throws PoolClosedException if the pool is closed
     * @throws java.io.InterruptedIOException if the thread was interrupted while waiting
     * @throws ConnPoolException for any other failure
     */
    PooledConnection acquire() throws ConnPoolException, java.io.InterruptedIOException;

    /**
     * Borrows a connection, waiting up to the given time.
     *
     * @param timeout the longest wait, dialing included
     * @return a connection, to be closed by the caller
     * @throws NoServerAvailableException if every server stayed down until the timeout
     * @throws AcquireTimeoutException if no connection could be had in time for another reason
     * @throws PoolClosedException if the pool is closed
     * @throws java.io.InterruptedIOException if the thread was interrupted while waiting
     */
    PooledConnection acquire(Duration timeout) throws ConnPoolException, java.io.InterruptedIOException;

    /**
     * Borrows a connection without waiting for capacity or permits: an idle connection, or a new one if a
     * server has room to dial (the dial itself may take up to {@code dialTimeout}).
     *
     * @return a connection, to be closed by the caller
     * @throws NoServerAvailableException if every server is down
     * @throws RateLimitedException if the servers that could serve have no permit left
     * @throws PoolExhaustedException if every server is at its connection limit with none idle
     * @throws PoolClosedException if the pool is closed
     */
    PooledConnection tryAcquire() throws ConnPoolException;

    /**
     * Borrows a connection, runs the callback on it and gives it back: the try-with-resources every caller
     * writes, written once. If the callback throws, the connection is discarded (its stream is in an unknown
     * state) and the exception is rethrown as it is.
     *
     * <pre>{@code
     * Framing<String> lines = Framing.lines(StandardCharsets.UTF_8);
     * String reply = pool.execute(c -> lines.call(c, "GET 42"));
     * }</pre>
     *
     * @param callback what to do with the connection; it must not keep the connection past the call (any use
     *        afterwards fails with {@link IllegalStateException})
     * @param <T> the callback's result
     * @return what the callback returned
     * @throws IOException what the callback threw, or why no connection could be borrowed (as {@link #acquire()})
     */
    <T> T execute(ConnectionCallback<T> callback) throws IOException;

    /**
     * Like {@link #execute}, for a request that is safe to send twice, with one retry for the case of a server
     * that closed an idle connection: when a <em>reused</em> connection (taken from the idle set, not dialed
     * for this call) failed before any byte of a reply was read through {@link PooledConnection#input()}, the
     * request is sent once more on another connection, one dialed for it or checked just before it is lent.
     * Never after a reply byte was read, never for an interrupt or a timeout: the pool never makes a server
     * apply a request twice. If the retry fails too, the exception says which connections were tried.
     *
     * @param callback what to do with the connection; see {@link #execute}
     * @param <T> the callback's result
     * @return what the callback returned
     * @throws IOException what the callback threw (after the retry, an {@code IOException} naming both tries),
     *         or why no connection could be borrowed
     */
    <T> T executeIdempotent(ConnectionCallback<T> callback) throws IOException;

    /**
     * Returns a snapshot of every server, read from memory (never touches the network).
     *
     * @return one status per server, in the order they were added
     */
    List<ServerStatus> servers();

    /**
     * Returns the status of one server, read from memory like {@link #servers()}: for code that watches
     * one server (a gauge per server) without building every server's status.
     *
     * @param server the server's address
     * @return its status, or empty if it is not in the pool
     */
    default Optional<ServerStatus> server(ServerAddress server) {
        for (ServerStatus status : servers()) {
            if (status.address().equals(server)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the pool's counters and gauges.
     *
     * @return a snapshot
     */
    PoolStats stats();

    /**
     * Returns the Resilience4j rate limiter that enforces {@code maxRps} for one server, so that its
     * permits can be observed (for example by {@link io.connpool.micrometer.ConnPoolMetrics}). Its name is
     * {@code pool/host:port} and its tags are {@code pool} and {@code server}. Do not acquire permissions
     * from it: every permission taken there is one request fewer for the pool.
     *
     * @param server the server
     * @return the limiter, or empty when {@code maxRps} is 0 or the server is not in the pool
     */
    default Optional<RateLimiter> rateLimiter(ServerAddress server) {
        return Optional.empty();
    }

    /**
     * Adds a server at run time; it takes traffic at once. Adding a server already in the pool has no
     * effect.
     *
     * @param server the server
     * @return whether it was added
     */
    boolean addServer(ServerAddress server);

    /**
     * Removes a server at run time: no new borrow goes to it, its idle connections close at once and its
     * borrowed ones when they are returned.
     *
     * @param server the server
     * @return whether it was in the pool
     */
    boolean removeServer(ServerAddress server);

    /**
     * Changes {@code maxRps} at run time, for every server and every server added later, from each rate
     * limiter's next one-second period: for a limit shared by the replicas of an application, whose number
     * changes (the Spring Boot starter's {@code max-rps-fleet}).
     *
     * @param maxRps the most acquires per second each server may serve, positive
     * @throws IllegalArgumentException if {@code maxRps} is not positive
     * @throws IllegalStateException if the pool was built with {@code maxRps} 0 (no limit, so no limiter)
     */
    default void changeMaxRps(int maxRps) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot change its rate limit");
    }

    /**
     * Replaces every connection once: idle ones close now, borrowed ones when returned. Connections
     * opened afterwards are reused as usual.
     */
    void softEvict();

    /**
     * Replaces every connection to one server once, like {@link #softEvict()}.
     *
     * @param server the server
     */
    void softEvict(ServerAddress server);

    /**
     * Adds a listener, for example a metrics binder, after the pool was built.
     *
     * @param listener the listener
     */
    void addListener(ConnPoolListener listener);

    /**
     * Removes a listener added with {@link #addListener} or the builder.
     *
     * @param listener the listener
     */
    void removeListener(ConnPoolListener listener);

    /**
     * Returns the pool's name, used in logs, thread names, metrics and errors.
     *
     * @return the name
     */
    String name();

    /**
     * Returns whether {@link #close()} has been called.
     *
     * @return whether the pool is closed
     */
    boolean isClosed();

    /**
     * Closes the pool without waiting: new acquires fail with {@link PoolClosedException}, waiting ones
     * too, idle connections close at once and borrowed ones when returned. Idempotent.
     */
    @Override
    void close();

    /**
     * Closes the pool like {@link #close()}, then waits up to {@code grace} for borrowed connections to
     * come back and force-closes those still out.
     *
     * @param grace how long borrowers may keep their connections
     * @return whether every borrowed connection came back within the grace period
     */
    boolean close(Duration grace);

    /**
     * Configures and builds a {@link ConnPool}. Every option is validated by {@link #build()}, which names
     * the offending option.
     */
    final class Builder {

        final PoolOptions options = new PoolOptions();

        Builder() {
        }

        /**
         * Sets the pool's name, used in logs, thread names, metrics and errors. Default {@code "default"}.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            options.name = name;
            return this;
        }

        /**
         * Sets the servers, as {@code host:port} or {@code [v6]:port}. Required: at least one, or a
         * {@link #serverSource}. A host name is expanded to every address it resolves to, each a server of its
         * own, and looked up again every {@link #dnsRefreshInterval}.
         *
         * @param servers the servers
         * @return this builder
         * @throws InvalidOptionException naming the value if one cannot be parsed
         */
        public Builder servers(String... servers) {
            requireServers(servers);
            List<ServerAddress> parsed = new ArrayList<>(servers.length);
            for (String server : servers) {
                try {
                    parsed.add(ServerAddress.parse(server));
                }
                catch (IllegalArgumentException ex) {
                    throw new InvalidOptionException("servers", server, ex.getMessage());
                }
            }
            options.servers = parsed;
            return this;
        }

        /**
         * Sets the servers.
         *
         * @param servers the servers
         * @return this builder
         */
        public Builder servers(List<ServerAddress> servers) {
            options.servers = new ArrayList<>(requireServers(servers));
            return this;
        }

        /**
         * Sets the servers.
         *
         * @param servers the servers
         * @return this builder
         */
        public Builder servers(ServerAddress... servers) {
            return servers(Arrays.asList(requireServers(servers)));
        }

        /**
         * Takes the servers from a source that publishes them as they change (service discovery), instead of
         * {@link #servers}: giving both is an error. The pool starts the source when built and closes it when
         * closed; see {@link ServerSource}.
         *
         * @param source the source, for this pool alone
         * @return this builder
         */
        public Builder serverSource(ServerSource source) {
            if (source == null) {
                throw new InvalidOptionException("serverSource", null, "serverSource must not be null");
            }
            options.serverSource = source;
            return this;
        }

        /**
         * Sets how often the host names of {@link #servers} are looked up again. Each name is expanded to every
         * address it resolves to (a Kubernetes headless service: one per pod), each a server of its own; an
         * address that appears is added, one that vanishes is drained like {@link ConnPool#removeServer}. A
         * failed or slow lookup (limited to {@code dialTimeout}) keeps the last good addresses. {@code build()}
         * looks the names up once. The JVM caches lookups itself ({@code networkaddress.cache.ttl}, 30 s unless
         * a security manager is installed): keep it below this interval. Default 30 s; {@link Duration#ZERO}
         * does not expand names: each is one server, resolved at each dial to its first address.
         *
         * @param interval zero or positive
         * @return this builder
         */
        public Builder dnsRefreshInterval(Duration interval) {
            options.dnsRefreshInterval = interval;
            return this;
        }

        /**
         * Sets the longest a dial may take, TLS handshake included. Default 2 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder dialTimeout(Duration timeout) {
            options.dialTimeout = timeout;
            return this;
        }

        /**
         * Sets the read timeout of every connection: a read through {@link PooledConnection#input()} blocked
         * longer throws {@link java.net.SocketTimeoutException}, and the connection is closed, never reused. The
         * pool enforces it with a deadline per read (a plain blocking read costs less than a timed one); the raw
         * {@link PooledConnection#socket()} gets it as {@code SO_TIMEOUT} once a borrower asks for it. Default
         * 30 s; {@link Duration#ZERO} waits forever.
         *
         * @param timeout zero or positive
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            options.readTimeout = timeout;
            return this;
        }

        /**
         * Sets the first backoff after a failed dial. Default 1 s.
         *
         * @param retryMin positive, not above {@code retryMax}
         * @return this builder
         */
        public Builder retryMin(Duration retryMin) {
            options.retryMin = retryMin;
            return this;
        }

        /**
         * Sets the longest backoff. Default 1 min.
         *
         * @param retryMax not below {@code retryMin}
         * @return this builder
         */
        public Builder retryMax(Duration retryMax) {
            options.retryMax = retryMax;
            return this;
        }

        /**
         * Sets the most acquires per second each server may serve; 0 means unlimited. Default 0.
         *
         * @param maxRps zero or positive
         * @return this builder
         */
        public Builder maxRps(int maxRps) {
            options.maxRps = maxRps;
            return this;
        }

        /**
         * Sets the most connections open to each server, borrowed and idle together. Default 8.
         *
         * @param max positive
         * @return this builder
         */
        public Builder maxConnectionsPerServer(int max) {
            options.maxConnectionsPerServer = max;
            return this;
        }

        /**
         * Sets how many idle connections the pool keeps open to each server that is not down, dialing in
         * the background. Default 1: a warm connection per server, and every server's health known from
         * start-up.
         *
         * @param minIdle zero or positive, not above {@code maxConnectionsPerServer}
         * @return this builder
         */
        public Builder minIdlePerServer(int minIdle) {
            options.minIdlePerServer = minIdle;
            return this;
        }

        /**
         * Sets how long {@link ConnPool#acquire()} waits. Default 5 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder acquireTimeout(Duration timeout) {
            options.acquireTimeout = timeout;
            return this;
        }

        /**
         * Sets how long a connection may stay idle before it is closed, above {@code minIdlePerServer}, counted
         * from the housekeeping round that finds it back (up to a second late, never early). Default 10 min;
         * {@link Duration#ZERO} never closes idle connections.
         *
         * @param timeout zero or positive
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            options.idleTimeout = timeout;
            return this;
        }

        /**
         * Sets the longest a connection lives; each connection's own lifetime is up to 2.5 % shorter at
         * random so that they do not all expire together. Default 30 min; {@link Duration#ZERO} is no limit.
         *
         * @param lifetime zero or positive
         * @return this builder
         */
        public Builder maxLifetime(Duration lifetime) {
            options.maxLifetime = lifetime;
            return this;
        }

        /**
         * Sets how long after the start of its last borrow a connection is checked on borrow (peer closed,
         * unexpected bytes, then the {@link ConnectionValidator} if any), so one held longer is checked at its
         * next borrow too. Default 500 ms; {@link Duration#ZERO} checks on every borrow.
         *
         * @param interval zero or positive
         * @return this builder
         */
        public Builder validationInterval(Duration interval) {
            options.validationInterval = interval;
            return this;
        }

        /**
         * Sets how long a connection may be borrowed before the pool logs a warning with the borrower's
         * stack trace. Default {@link Duration#ZERO}: off.
         *
         * @param threshold zero (off) or positive
         * @return this builder
         */
        public Builder leakDetectionThreshold(Duration threshold) {
            options.leakDetectionThreshold = threshold;
            return this;
        }

        /**
         * Sets how many consecutive connections of a server invalidated by I/O errors make it
         * {@link ServerState#DOWN}. Default 5; 0 never ejects.
         *
         * @param failures zero or positive
         * @return this builder
         */
        public Builder ejectAfterFailures(int failures) {
            options.ejectAfterFailures = failures;
            return this;
        }

        /**
         * Sets the dialer. Default {@link Dialer#tcp()}.
         *
         * @param dialer the dialer
         * @return this builder
         */
        public Builder dialer(Dialer dialer) {
            options.dialer = dialer;
            return this;
        }

        /**
         * Sets the backoff between probes of a down server. Default
         * {@link Backoff#exponential(Duration, Duration)} from {@code retryMin} and {@code retryMax}.
         *
         * @param backoff the backoff
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            options.backoff = backoff;
            return this;
        }

        /**
         * Sets a protocol check run on borrow after {@code validationInterval} without a borrow. Default none.
         *
         * @param validator the validator, or {@code null}
         * @return this builder
         */
        public Builder validator(ConnectionValidator validator) {
            options.validator = validator;
            return this;
        }

        /**
         * Adds a listener; may be called more than once.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(ConnPoolListener listener) {
            if (listener == null) {
                throw new InvalidOptionException("listener", null, "listener must not be null; pass a ConnPoolListener");
            }
            options.listeners.add(listener);
            return this;
        }

        /**
         * Shares a global cap on open sockets with other pools. Default none.
         *
         * @param budget the budget, or {@code null}
         * @return this builder
         */
        public Builder budget(ConnectionBudget budget) {
            options.budget = budget;
            return this;
        }

        /**
         * Sets how a borrow picks the server it tries first. Default {@link Balancer#roundRobin()}.
         *
         * @param balancer a balancer of its own for this pool
         * @return this builder
         */
        public Builder balancer(Balancer balancer) {
            options.balancer = balancer;
            return this;
        }

        private static <T> T requireServers(T servers) {
            if (servers == null) {
                throw new InvalidOptionException("servers", null, "servers must list at least one 'host:port', was null");
            }
            return servers;
        }

        /**
         * Checks every option as {@link #build()} does, without starting anything: for frameworks that
         * validate configuration before they build.
         *
         * @return this builder
         * @throws InvalidOptionException naming the first invalid option, its value and the fix
         */
        public Builder validate() {
            options.validated();
            return this;
        }

        /**
         * Validates every option and starts the pool: one warm-up dial per server is started in the
         * background ({@code minIdlePerServer}); this method does not wait for it.
         *
         * @return the pool
         * @throws InvalidOptionException naming the first invalid option, its value and the fix
         */
        public ConnPool build() {
            return new DefaultConnPool(options.validated());
        }
    }
}
