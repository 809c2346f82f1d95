package io.connpool.benchmarks.readtimeout;

/**
 * Enforces read deadlines from one background thread: a reader {@linkplain #enter enters} before a plain blocking
 * read and {@linkplain #exit exits} after it; when a deadline passes first, the watchdog closes that connection's
 * socket, which ends the blocked read with an exception (OkHttp's {@code AsyncTimeout} idea).
 */
interface Watchdog extends AutoCloseable {

    /** Called once per connection, when it opens. */
    void register(WatchedConnection connection);

    /** Called once per connection, when it closes. */
    void unregister(WatchedConnection connection);

    /** Arms the connection's deadline before a read. No allocation. */
    void enter(WatchedConnection connection);

    /**
     * Disarms it after the read returned or threw.
     *
     * @return whether the deadline had already passed and the watchdog closed (or is closing) the socket
     */
    boolean exit(WatchedConnection connection);

    @Override
    void close();
}
