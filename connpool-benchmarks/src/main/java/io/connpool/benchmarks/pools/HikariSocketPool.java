package io.connpool.benchmarks.pools;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * HikariCP's whole pool, {@link HikariDataSource#getConnection()} and {@link Connection#close()}, over
 * {@link SocketDataSource}: each pooled JDBC connection is one real loopback socket. Unlike the bare
 * {@link BagSocketPool} it reads the clock, validates a connection idle past 500 ms ({@code isValid}, a field
 * read here), tracks leaks (off) and wraps each borrow in its proxy connection, as connpool keeps its own
 * state: the fair full-pool peer.
 *
 * <p>Configured like connpool's defaults: a fixed pool ({@code minimumIdle = maximumPoolSize = size}), a 5 s
 * wait as every peer here, leak detection off, HikariCP's own default validation and nothing more,
 * {@code maxLifetime} 30 min and {@code idleTimeout} 10 min as connpool's.
 */
public final class HikariSocketPool implements SocketPool<Connection> {

    public static final String NAME = "hikaricp";

    private final SocketDataSource sockets;
    private final HikariDataSource pool;

    public HikariSocketPool(InetSocketAddress server, int size) {
        this.sockets = new SocketDataSource(server);
        HikariConfig config = new HikariConfig();
        config.setPoolName("bench-hikaricp");
        config.setDataSource(sockets);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(5_000);
        config.setLeakDetectionThreshold(0);
        config.setMaxLifetime(TimeUnit.MINUTES.toMillis(30));
        config.setIdleTimeout(TimeUnit.MINUTES.toMillis(10));
        config.setRegisterMbeans(false);
        this.pool = new HikariDataSource(config);
    }

    @Override
    public Connection acquire() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void release(Connection lease) throws SQLException {
        lease.close();
    }

    /** The socket under HikariCP's proxy; unwrapping is part of every use, as it would be for a caller. */
    static SocketJdbcConnection unwrap(Connection lease) {
        try {
            return lease.unwrap(SocketJdbcConnection.class);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("HikariCP's connection does not wrap a SocketJdbcConnection", ex);
        }
    }

    @Override
    public Socket socket(Connection lease) {
        return unwrap(lease).raw.socket;
    }

    @Override
    public InputStream input(Connection lease) {
        return unwrap(lease).raw.input;
    }

    @Override
    public OutputStream output(Connection lease) {
        return unwrap(lease).raw.output;
    }

    /** Waits until HikariCP has opened every connection, then borrows them all and gives them back. */
    @Override
    public void fill(int connections) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (pool.getHikariPoolMXBean() == null
                || pool.getHikariPoolMXBean().getTotalConnections() < connections) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("HikariCP opened only " + sockets.dialed() + " of " + connections
                        + " connections within 120 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        List<Connection> all = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            all.add(pool.getConnection());
        }
        for (Connection connection : all) {
            connection.close();
        }
        if (sockets.dialed() != connections) {
            throw new IllegalStateException("HikariCP dialed " + sockets.dialed() + " connections for " + connections
                    + " slots while filling");
        }
    }

    /** Sockets dialed since the pool started. */
    public long created() {
        return sockets.dialed();
    }

    @Override
    public void close() {
        pool.close();
    }
}
