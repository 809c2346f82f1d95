package io.connpool.benchmarks.pools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The stub JDBC driver HikariCP pools in {@link HikariSocketPool}: each {@link #getConnection()} dials one
 * loopback socket the way {@code Dialer.tcp()} does and wraps it in a {@link SocketJdbcConnection}.
 */
final class SocketDataSource implements DataSource {

    private final InetSocketAddress server;
    private final AtomicLong dialed = new AtomicLong();
    private int loginTimeout;

    SocketDataSource(InetSocketAddress server) {
        this.server = server;
    }

    /** Connections opened so far. */
    long dialed() {
        return dialed.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        try {
            Connection connection = new SocketJdbcConnection(RawConnection.dial(server));
            dialed.incrementAndGet();
            return connection;
        }
        catch (IOException ex) {
            throw new SQLException("could not connect to " + server + ": " + ex.getMessage(), "08001", ex);
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no logging
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("SocketDataSource is not a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
