package io.connpool.benchmarks.pools;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.PooledConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** connpool itself, used through its public API only. */
public final class ConnpoolSocketPool implements SocketPool<PooledConnection> {

    public static final String NAME = "connpool";
    /**
     * connpool with {@code readTimeout(0)}. Its default 30 s read timeout sets SO_TIMEOUT, and the JDK serves a
     * timed blocking read as a non-blocking read, then poll(2), then a second read: two more system calls per
     * read than a socket without one.
     */
    public static final String NAME_NO_READ_TIMEOUT = "connpool-no-read-timeout";
    /** connpool with a rate limiter that never says no ({@link #NEVER_BINDING_RPS}): what the limiter costs. */
    public static final String NAME_RATE_LIMITED = "connpool-rate-limited";
    /** A {@code maxRps} no benchmark reaches, as {@code RateLimiterBenchmark} uses. */
    public static final int NEVER_BINDING_RPS = 1_000_000_000;

    private final ConnPool pool;

    public ConnpoolSocketPool(ConnPool pool) {
        this.pool = pool;
    }

    /**
     * The settings every connpool benchmark shares: {@code size} connections per server, all kept open, and
     * the same 5 s wait as the peers. Callers may change more before building.
     */
    public static Builder builder(int size, InetSocketAddress... servers) {
        String[] hostPorts = new String[servers.length];
        for (int i = 0; i < servers.length; i++) {
            hostPorts[i] = "127.0.0.1:" + servers[i].getPort();
        }
        return new Builder(ConnPool.builder()
                .name("bench")
                .servers(hostPorts)
                .maxConnectionsPerServer(size)
                .minIdlePerServer(size)
                .acquireTimeout(Duration.ofSeconds(5)));
    }

    /** Wraps {@link ConnPool.Builder} so benchmarks can adjust it and still get a {@link ConnpoolSocketPool}. */
    public static final class Builder {

        private final ConnPool.Builder builder;

        Builder(ConnPool.Builder builder) {
            this.builder = builder;
        }

        public ConnPool.Builder options() {
            return builder;
        }

        public ConnpoolSocketPool build() {
            return new ConnpoolSocketPool(builder.build());
        }
    }

    public ConnPool pool() {
        return pool;
    }

    @Override
    public PooledConnection acquire() throws Exception {
        return pool.acquire();
    }

    @Override
    public void release(PooledConnection lease) {
        lease.close();
    }

    @Override
    public Socket socket(PooledConnection lease) {
        return lease.socket();
    }

    @Override
    public InputStream input(PooledConnection lease) {
        return lease.input();
    }

    @Override
    public OutputStream output(PooledConnection lease) {
        return lease.output();
    }

    /**
     * Waits for the background refill ({@code minIdlePerServer}) to open every connection, then borrows them
     * all at once and gives them back, so each has been used once before measuring.
     */
    @Override
    public void fill(int connections) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        PoolStats stats;
        while ((stats = pool.stats()).idle() + stats.active() < connections) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("connpool opened only " + (stats.idle() + stats.active()) + " of "
                        + connections + " connections within 120 s: " + pool.servers());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        List<PooledConnection> all = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            all.add(pool.acquire());
        }
        for (PooledConnection connection : all) {
            connection.close();
        }
        long created = pool.stats().created();
        if (created != connections) {
            throw new IllegalStateException("connpool dialed " + created + " connections for " + connections
                    + " slots while filling: " + pool.stats());
        }
    }

    /** Connections dialed since the pool started; a benchmark checks that it did not grow while measuring. */
    public long created() {
        return pool.stats().created();
    }

    @Override
    public void close() {
        pool.close();
    }
}
