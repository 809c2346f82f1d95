package io.connpool.autoconfigure;

import io.connpool.ConnPool;
import io.connpool.ConnPoolException;
import io.connpool.ConnPoolListener;
import io.connpool.ConnectionCallback;
import io.connpool.PoolStats;
import io.connpool.PooledConnection;
import io.connpool.ServerAddress;
import io.connpool.ServerStatus;
import io.connpool.autoconfigure.observation.ConnPoolObservationContext;
import io.connpool.autoconfigure.observation.ConnPoolObservationContext.Operation;
import io.github.resilience4j.ratelimiter.RateLimiter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ConnPool} bean of an auto-configured pool: a stable object in front of a core pool that it
 * builds on first use or when the context starts, closes when the context stops and builds anew when it
 * starts again (a context restart, a CRaC checkpoint), so injected references keep working.
 *
 * <p>Listeners added to it are given to each core pool's builder, so they see its warm-up dials, and are told
 * {@link ConnPoolListener#serverAdded} for every server of a rebuilt pool. Servers added or removed at run
 * time are not carried over a restart: the rebuilt pool has the configured servers. With an
 * {@link io.micrometer.observation.ObservationRegistry}, every acquire is a {@code connpool.acquire}
 * observation; without one, acquire costs one volatile read more than the core pool's.
 */
final class AutoConfiguredConnPool implements ConnPool {

    private static final Logger log = LoggerFactory.getLogger(AutoConfiguredConnPool.class);

    private final String name;
    private final Supplier<ConnPool.Builder> builders;
    private final PoolObservations observations;
    private final List<ConnPoolListener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** The validated builder of the first build, so that start-up validates before anything dials. */
    private ConnPool.Builder first;
    private volatile ConnPool delegate;
    private volatile boolean stopped;
    private volatile boolean closed;
    /** The limit set by {@link #changeMaxRps}, kept for rebuilds; 0 until then. */
    private volatile int changedMaxRps;

    /**
     * @param first a configured, validated builder for the first build
     * @param builders configured builders for rebuilds (listeners are added here)
     * @param observations where acquires are observed, {@code null} for nowhere
     */
    AutoConfiguredConnPool(String name, ConnPool.Builder first, Supplier<ConnPool.Builder> builders,
            PoolObservations observations) {
        this.name = name;
        this.first = first;
        this.builders = builders;
        this.observations = observations;
    }

    private ConnPool pool() {
        ConnPool pool = delegate;
        return pool != null ? pool : build();
    }

    private ConnPool build() {
        lock.lock();
        try {
            ConnPool pool = delegate;
            if (pool != null) {
                return pool;
            }
            ConnPool.Builder builder = first != null ? first : builders.get();
            first = null;
            if (closed) {
                builder.minIdlePerServer(0); // closed before its first use: nothing to warm up
            }
            listeners.forEach(builder::listener);
            if (changedMaxRps > 0) {
                builder.maxRps(changedMaxRps);
            }
            pool = builder.build();
            if (closed) {
                pool.close();
            }
            delegate = pool;
            return pool;
        }
        finally {
            lock.unlock();
        }
    }

    /** Builds the core pool if needed; after {@link #stop()}, builds a new one. */
    void start() {
        lock.lock();
        try {
            if (closed || delegate != null && !stopped) {
                return;
            }
            boolean restart = delegate != null;
            stopped = false;
            delegate = null;
            ConnPool pool = build();
            if (restart) {
                log.info("Pool '{}' restarted", name);
                for (ServerStatus server : pool.servers()) {
                    for (ConnPoolListener listener : listeners) {
                        announce(listener, server.address());
                    }
                }
            }
        }
        finally {
            lock.unlock();
        }
    }

    private static void announce(ConnPoolListener listener, ServerAddress server) {
        try {
            listener.serverAdded(server);
        }
        catch (RuntimeException ex) {
            log.warn("Listener {} threw on serverAdded({}); ignored", listener, server, ex);
        }
    }

    /** Closes the core pool without waiting, to be built again by {@link #start()}. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            ConnPool pool = delegate;
            if (pool != null) {
                pool.close();
            }
        }
        finally {
            lock.unlock();
        }
    }

    /** Waits for the connections borrowed before {@link #stop()}; force-closes those still out after {@code grace}. */
    boolean awaitStopped(Duration grace) {
        ConnPool pool = delegate;
        return pool == null || pool.close(grace);
    }

    boolean isRunning() {
        return !stopped && !closed;
    }

    @Override
    public PooledConnection acquire() throws ConnPoolException, InterruptedIOException {
        ConnPool pool = pool();
        return observations == null ? pool.acquire() : observed(pool::acquire);
    }

    @Override
    public PooledConnection acquire(Duration timeout) throws ConnPoolException, InterruptedIOException {
        ConnPool pool = pool();
        return observations == null ? pool.acquire(timeout) : observed(() -> pool.acquire(timeout));
    }

    @Override
    public PooledConnection tryAcquire() throws ConnPoolException {
        ConnPool pool = pool();
        if (observations == null) {
            return pool.tryAcquire();
        }
        try {
            return observed(pool::tryAcquire);
        }
        catch (InterruptedIOException ex) {
            throw new IllegalStateException("tryAcquire never waits, so it cannot be interrupted", ex);
        }
    }

    /** An acquire, observed. */
    private interface Acquire {

        PooledConnection get() throws ConnPoolException, InterruptedIOException;
    }

    private PooledConnection observed(Acquire acquire) throws ConnPoolException, InterruptedIOException {
        try {
            return observations.observe(Operation.ACQUIRE, null, context -> {
                PooledConnection connection = acquire.get();
                context.setServer(connection.server());
                return connection;
            });
        }
        catch (ConnPoolException | InterruptedIOException ex) {
            throw ex;
        }
        catch (IOException ex) {
            throw new IllegalStateException("acquire threw an I/O error it does not declare", ex);
        }
    }

    @Override
    public <T> T execute(ConnectionCallback<T> callback) throws IOException {
        ConnPool pool = pool();
        return observations == null ? pool.execute(callback)
                : observations.observe(Operation.EXECUTE, null, context -> pool.execute(attempts(context, callback)));
    }

    @Override
    public <T> T executeIdempotent(ConnectionCallback<T> callback) throws IOException {
        ConnPool pool = pool();
        return observations == null ? pool.executeIdempotent(callback)
                : observations.observe(Operation.EXECUTE, null,
                        context -> pool.executeIdempotent(attempts(context, callback)));
    }

    /** The callback, telling the observation which server each attempt went to (null stays null: core refuses it). */
    private static <T> ConnectionCallback<T> attempts(ConnPoolObservationContext context, ConnectionCallback<T> callback) {
        return callback == null ? null : connection -> {
            context.attempted(connection.server());
            return callback.doInConnection(connection);
        };
    }

    @Override
    public List<ServerStatus> servers() {
        return pool().servers();
    }

    @Override
    public Optional<ServerStatus> server(ServerAddress server) {
        return pool().server(server);
    }

    @Override
    public PoolStats stats() {
        return pool().stats();
    }

    @Override
    public Optional<RateLimiter> rateLimiter(ServerAddress server) {
        return pool().rateLimiter(server);
    }

    @Override
    public boolean addServer(ServerAddress server) {
        return pool().addServer(server);
    }

    @Override
    public boolean removeServer(ServerAddress server) {
        return pool().removeServer(server);
    }

    /** Changes the limit of the core pool, and of the pools built after a restart. */
    @Override
    public void changeMaxRps(int maxRps) {
        lock.lock();
        try {
            ConnPool pool = delegate;
            if (pool != null) {
                pool.changeMaxRps(maxRps); // throws first if the limit cannot change
            }
            changedMaxRps = maxRps;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void softEvict() {
        pool().softEvict();
    }

    @Override
    public void softEvict(ServerAddress server) {
        pool().softEvict(server);
    }

    @Override
    public void addListener(ConnPoolListener listener) {
        lock.lock();
        try {
            listeners.add(listener);
            ConnPool pool = delegate;
            if (pool != null) {
                pool.addListener(listener);
            }
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void removeListener(ConnPoolListener listener) {
        lock.lock();
        try {
            listeners.remove(listener);
            ConnPool pool = delegate;
            if (pool != null) {
                pool.removeListener(listener);
            }
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isClosed() {
        ConnPool pool = delegate;
        return closed || pool != null && pool.isClosed();
    }

    /** Closes for good: the context is closing, or the application closed the pool itself. */
    @Override
    public void close() {
        closed = true;
        ConnPool pool = delegate;
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    public boolean close(Duration grace) {
        closed = true;
        ConnPool pool = delegate;
        return pool == null || pool.close(grace);
    }

    @Override
    public String toString() {
        return "ConnPool '" + name + "' (auto-configured" + (stopped ? ", stopped" : "") + (closed ? ", closed" : "")
                + ")";
    }
}
