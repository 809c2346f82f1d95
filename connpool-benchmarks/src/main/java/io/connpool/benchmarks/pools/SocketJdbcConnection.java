package io.connpool.benchmarks.pools;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A {@link Connection} that is one real loopback socket and nothing else: what HikariCP pools in
 * {@link HikariSocketPool}. It is dialed when the data source hands it out and closed on {@link #close()};
 * {@link #isValid(int)} is a field read, {@link #setNetworkTimeout} sets {@code SO_TIMEOUT} as real drivers
 * do, and everything SQL says it is not supported. The benchmarks reach the socket with
 * {@code connection.unwrap(SocketJdbcConnection.class)}.
 */
public final class SocketJdbcConnection implements Connection {

    public final RawConnection raw;
    private volatile boolean closed;
    private boolean autoCommit = true;
    private boolean readOnly;
    private int isolation = TRANSACTION_READ_COMMITTED;
    private String catalog;
    private String schema;

    SocketJdbcConnection(RawConnection raw) {
        this.raw = raw;
    }

    @Override
    public void close() throws SQLException {
        closed = true;
        try {
            raw.close();
        }
        catch (java.io.IOException ex) {
            throw new SQLException("could not close the socket to " + raw.socket.getRemoteSocketAddress(), ex);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isValid(int timeout) {
        return !closed && !raw.socket.isClosed();
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        try {
            raw.socket.setSoTimeout(milliseconds);
        }
        catch (java.net.SocketException ex) {
            throw new SQLException("could not set SO_TIMEOUT on " + raw.socket, ex);
        }
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        try {
            return raw.socket.getSoTimeout();
        }
        catch (java.net.SocketException ex) {
            throw new SQLException("could not read SO_TIMEOUT of " + raw.socket, ex);
        }
    }

    @Override
    public void setAutoCommit(boolean autoCommit) {
        this.autoCommit = autoCommit;
    }

    @Override
    public boolean getAutoCommit() {
        return autoCommit;
    }

    @Override
    public void commit() {
        // no transactions on a socket
    }

    @Override
    public void rollback() {
        // no transactions on a socket
    }

    @Override
    public void setReadOnly(boolean readOnly) {
        this.readOnly = readOnly;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public void setCatalog(String catalog) {
        this.catalog = catalog;
    }

    @Override
    public String getCatalog() {
        return catalog;
    }

    @Override
    public void setSchema(String schema) {
        this.schema = schema;
    }

    @Override
    public String getSchema() {
        return schema;
    }

    @Override
    public void setTransactionIsolation(int level) {
        this.isolation = level;
    }

    @Override
    public int getTransactionIsolation() {
        return isolation;
    }

    @Override
    public SQLWarning getWarnings() {
        return null;
    }

    @Override
    public void clearWarnings() {
        // never any
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException(getClass().getSimpleName() + " is not a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    private static SQLFeatureNotSupportedException noSql() {
        return new SQLFeatureNotSupportedException("a socket connection for benchmarks: no SQL");
    }

    @Override
    public Statement createStatement() throws SQLException {
        throw noSql();
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        throw noSql();
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        throw noSql();
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        throw noSql();
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        throw noSql();
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        throw noSql();
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        throw noSql();
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        throw noSql();
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        throw noSql();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        throw noSql();
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        throw noSql();
    }

    @Override
    public int getHoldability() throws SQLException {
        throw noSql();
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        throw noSql();
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        throw noSql();
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        throw noSql();
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        throw noSql();
    }

    @Override
    public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
        throw noSql();
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability)
            throws SQLException {
        throw noSql();
    }

    @Override
    public CallableStatement prepareCall(String sql, int type, int concurrency, int holdability) throws SQLException {
        throw noSql();
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        throw noSql();
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        throw noSql();
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        throw noSql();
    }

    @Override
    public Clob createClob() throws SQLException {
        throw noSql();
    }

    @Override
    public Blob createBlob() throws SQLException {
        throw noSql();
    }

    @Override
    public NClob createNClob() throws SQLException {
        throw noSql();
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        throw noSql();
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        throw new SQLClientInfoException();
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        throw new SQLClientInfoException();
    }

    @Override
    public String getClientInfo(String name) {
        return null;
    }

    @Override
    public Properties getClientInfo() {
        return new Properties();
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        throw noSql();
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        throw noSql();
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        close();
    }
}
