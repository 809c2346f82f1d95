package io.connpool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent connection shared by many threads, reconnected in the background: for senders of
 * metrics, logs or events that must never block their caller while the collector is away.
 *
 * <pre>{@code
 * ManagedConnection statsd = ManagedConnection.builder()
 *     .servers("metrics-1:8125", "metrics-2:8125")   // the first reachable one is used
 *     .build();
 * try {
 *     statsd.write(line);
 * } catch (ConnectionUnavailableException down) {
 *     dropped.increment();                             // reconnecting in the background: never blocks
 * }
 * }</pre>
 *
 * <p>While disconnected, {@link #write} and {@link #take()} fail at once with
 * {@link ConnectionUnavailableException}: nothing is queued or replayed later. An I/O error on the
 * connection closes it and starts reconnection. A connection that had lived at least {@code retryMin} is
 * redialed at once; one lost sooner counts against its server like a failed dial, so a server that
 * accepts and then drops every connection is dialed once per backoff step ({@code retryMin}, doubling up to
 * {@code retryMax}), never in a loop. The servers are tried in order, skipping those still in backoff.
 * Reads and writes are full duplex: a blocked read never stalls a write. No thread runs while connected;
 * a background thread dials while disconnected and ends when idle.
 */
public final class ManagedConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagedConnection.class);

    private final String name;
    private final List<ServerAddress> servers;
    /** One state machine per server, the pool's own: the same backoff and the same blame rules. */
    private final ServerHealth[] health;
    private final SocketOpener opener;
    private final long dialTimeoutNanos;
    /** A connection must live this long to prove its server healthy. */
    private final long trialNanos;
    private final Ticker ticker;
    private final ListenerChain listeners;
    private final ConnectionBudget budget;
    private final PoolScheduler reconnector;

    private final AtomicReference<LiveConnection> current = new AtomicReference<>();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition connected = stateLock.newCondition();
    /** Guarded by {@link #stateLock}: whether a dial round is scheduled or running. */
    private boolean reconnecting;
    /** Guarded by {@link #stateLock}: whether "down" was already logged at WARN for this outage. */
    private boolean outageLogged;
    private volatile boolean closed;

    private final InputStream input = new SharedStreams.Input(this);
    private final OutputStream output = new SharedStreams.Output(this);

    private ManagedConnection(PoolConfig config) {
        this.name = config.name();
        this.servers = config.servers();
        this.ticker = config.ticker();
        this.health = new ServerHealth[servers.size()];
        for (int i = 0; i < health.length; i++) {
            // a lost connection is one failure of its server: it ejects at once, as a failed dial would
            health[i] = new ServerHealth(config.backoff(), 1, ticker);
        }
        this.listeners = new ListenerChain(config.listeners());
        this.opener = new SocketOpener(config.dialer(), config.readTimeout(), listeners, ticker);
        this.dialTimeoutNanos = config.dialTimeout().toNanos();
        this.trialNanos = config.retryMin().toNanos();
        this.budget = config.budget();
        this.reconnector = config.schedulers().create(name);
        scheduleReconnect(0);
    }

    /**
     * Returns a builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes the whole buffer on the live connection.
     *
     * @param bytes the bytes to send
     * @throws ConnectionUnavailableException at once while disconnected (nothing is sent or queued)
     * @throws PoolClosedException if this connection was closed
     * @throws IOException if the write failed; the connection is then replaced in the background
     */
    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /**
     * Writes part of a buffer on the live connection. Each call is written whole before another thread's.
     *
     * @param bytes the buffer
     * @param offset where to start
     * @param length how many bytes
     * @throws ConnectionUnavailableException at once while disconnected (nothing is sent or queued)
     * @throws PoolClosedException if this connection was closed
     * @throws IOException if the write failed; the connection is then replaced in the background
     */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        LiveConnection live = live();
        try {
            live.output.write(bytes, offset, length);
        }
        catch (IOException ex) {
            lost(live, ex);
            throw ex;
        }
    }

    /**
     * Returns the live socket, for code that speaks its own protocol on it. Report a failure with
     * {@link #put(Socket, Throwable)}; never close the socket yourself.
     *
     * @return the connected socket
     * @throws ConnectionUnavailableException at once while disconnected
     * @throws PoolClosedException if this connection was closed
     */
    public Socket take() throws ConnPoolException {
        return live().socket;
    }

    /**
     * Reports how the use of a socket from {@link #take()} ended. With an error, that socket is closed and
     * a new one dialed; an error about a socket that was already replaced is ignored, so a late report
     * can never kill the new connection.
     *
     * @param socket the socket {@link #take()} returned
     * @param error the failure, or {@code null} if the use went well
     */
    public void put(Socket socket, Throwable error) {
        if (error == null || socket == null) {
            return;
        }
        LiveConnection live = current.get();
        if (live != null && live.socket == socket) {
            lost(live, error);
        }
        else {
            log.debug("ManagedConnection '{}' ignores an error from a connection already replaced: {}", name,
                    PoolErrors.describe(error));
        }
    }

    /**
     * Returns a stream reading from whichever connection is live at each call. An error or end of stream
     * replaces the connection.
     *
     * @return the shared input stream
     */
    public InputStream input() {
        return input;
    }

    /**
     * Returns a stream writing to whichever connection is live at each call, like {@link #write}.
     *
     * @return the shared output stream
     */
    public OutputStream output() {
        return output;
    }

    /**
     * Returns whether a connection is live now.
     *
     * @return whether connected
     */
    public boolean isConnected() {
        return current.get() != null;
    }

    /**
     * Returns the server of the live connection.
     *
     * @return the server, or {@code null} while disconnected
     */
    public ServerAddress server() {
        LiveConnection live = current.get();
        return live == null ? null : live.server;
    }

    /**
     * Waits until a connection is live.
     *
     * @param timeout the longest wait
     * @return true once connected, false at the timeout or if closed
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        stateLock.lock();
        try {
            while (current.get() == null && !closed) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = connected.awaitNanos(nanos);
            }
            return current.get() != null;
        }
        finally {
            stateLock.unlock();
        }
    }

    /**
     * Returns this connection's name, used in logs, thread names and errors.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Closes the connection and stops reconnecting. Returns at once, even while a dial is in progress
     * (that dial is abandoned). Idempotent; every later call fails with {@link PoolClosedException}.
     */
    @Override
    public void close() {
        stateLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            connected.signalAll();
        }
        finally {
            stateLock.unlock();
        }
        reconnector.shutdown();
        LiveConnection live = current.getAndSet(null);
        if (live != null) {
            live.close();
            releaseBudget();
            listeners.connectionClosed(live.server, ConnPoolListener.CloseReason.POOL_CLOSED);
        }
        log.debug("ManagedConnection '{}' closed", name);
    }

    LiveConnection live() throws ConnPoolException {
        LiveConnection live = current.get();
        if (live != null) {
            return live;
        }
        if (closed) {
            throw new PoolClosedException("ManagedConnection '" + name + "' is closed; create a new one to send");
        }
        throw new ConnectionUnavailableException("ManagedConnection '" + name + "' is disconnected from " + servers
                + " and reconnecting in the background; nothing was sent. Drop or buffer the data and try again"
                + " later, or wait with awaitConnected(..).");
    }

    /**
     * The live connection failed: close it (once, whoever reports first) and dial again: at once if it had
     * proved its server healthy, else after the server's backoff.
     */
    void lost(LiveConnection live, Throwable error) {
        if (!current.compareAndSet(live, null)) {
            return;
        }
        live.close();
        releaseBudget();
        listeners.connectionClosed(live.server, ConnPoolListener.CloseReason.BROKEN);
        if (closed) {
            return;
        }
        stateLock.lock();
        try {
            outageLogged = true;
        }
        finally {
            stateLock.unlock();
        }
        ServerHealth server = health[live.index];
        boolean proved = ticker.nanoTime() - live.connectedNanos >= trialNanos;
        long retryIn = 0;
        if (proved) {
            server.connectionHealthy(live.generation);
        }
        else {
            ServerHealth.Transition down = server.connectionFailed(live.generation, error);
            retryIn = down == null ? 0 : down.retryInNanos();
        }
        log.warn("ManagedConnection '{}' lost its connection to {}{}: {}; reconnecting in the background", name,
                live.server, proved ? "" : " right after connecting", PoolErrors.describe(error));
        listeners.serverDown(live.server, error, retryIn);
        scheduleReconnect(retryIn);
    }

    private void scheduleReconnect(long delayNanos) {
        stateLock.lock();
        try {
            if (closed || reconnecting) {
                return;
            }
            reconnecting = true;
            if (reconnector.schedule(this::dialRound, delayNanos) == PoolScheduler.NOT_SCHEDULED) {
                reconnecting = false;
            }
        }
        finally {
            stateLock.unlock();
        }
    }

    /** Tries each server not in backoff, in order; the first that answers becomes the live connection. */
    private void dialRound() {
        Throwable last = null;
        long now = ticker.nanoTime();
        for (int i = 0; i < servers.size() && !closed; i++) {
            ServerHealth.Snapshot state = health[i].current();
            if (state.state() == ServerState.DOWN && state.retryAtNanos() - now > 0) {
                continue; // in backoff
            }
            ServerAddress server = servers.get(i);
            if (budget != null && !budget.reserve(false)) {
                last = new PoolExhaustedException("the shared connection budget (" + budget + ") is full");
                break;
            }
            try {
                Socket socket = opener.open(server, dialTimeoutNanos);
                health[i].dialSucceeded(state.epoch());
                connectedTo(new LiveConnection(i, server, socket, ticker.nanoTime(), health[i].current().generation()));
                return;
            }
            catch (IOException | RuntimeException ex) {
                releaseBudget();
                last = ex;
                if (!SocketOpener.cutByCaller(ex, false)) {
                    health[i].dialFailed(state.epoch(), ex);
                }
            }
        }
        failedRound(last);
    }

    private void connectedTo(LiveConnection live) {
        boolean wasDown;
        stateLock.lock();
        try {
            reconnecting = false;
            if (closed) {
                live.close();
                releaseBudget();
                return;
            }
            current.set(live);
            wasDown = outageLogged;
            outageLogged = false;
            connected.signalAll();
        }
        finally {
            stateLock.unlock();
        }
        if (wasDown) {
            log.info("ManagedConnection '{}' is connected again, to {}", name, live.server);
        }
        else {
            log.debug("ManagedConnection '{}' connected to {}", name, live.server);
        }
        listeners.serverUp(live.server);
    }

    private void failedRound(Throwable last) {
        long delay = soonestRetry();
        boolean firstOfOutage;
        stateLock.lock();
        try {
            reconnecting = false;
            if (closed) {
                return;
            }
            firstOfOutage = !outageLogged;
            outageLogged = true;
        }
        finally {
            stateLock.unlock();
        }
        String why = last == null ? "closed" : PoolErrors.describe(last);
        if (firstOfOutage) {
            log.warn("ManagedConnection '{}' cannot connect to {}: {}; retrying in the background", name, servers,
                    why);
        }
        else {
            log.debug("ManagedConnection '{}' could not connect to {}: {}; next attempt in {} ms", name, servers, why,
                    delay / 1_000_000);
        }
        scheduleReconnect(delay);
    }

    /** Until the first server's backoff ends; at least 1 ms, so a round never spins. */
    private long soonestRetry() {
        long now = ticker.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (ServerHealth server : health) {
            ServerHealth.Snapshot state = server.current();
            long wait = state.state() == ServerState.DOWN ? state.retryAtNanos() - now : 0;
            soonest = Math.min(soonest, wait);
        }
        return Math.max(1_000_000L, soonest);
    }

    private void releaseBudget() {
        if (budget != null) {
            budget.release();
        }
    }

    @Override
    public String toString() {
        LiveConnection live = current.get();
        return "ManagedConnection[" + name + ", " + (closed ? "closed" : live == null ? "reconnecting" : live.server)
                + "]";
    }

    /**
     * Configures a {@link ManagedConnection}, with the same option names as {@link ConnPool.Builder}.
     */
    public static final class Builder {

        final PoolOptions options = new PoolOptions();

        Builder() {
            options.name = "managed";
        }

        /**
         * Sets the name used in logs, thread names and errors. Default {@code "managed"}.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            options.name = name;
            return this;
        }

        /**
         * Sets the servers, tried in order at each reconnection. Required: at least one.
         *
         * @param servers {@code host:port} or {@code [v6]:port} values
         * @return this builder
         */
        public Builder servers(String... servers) {
            options.servers = Arrays.stream(Objects.requireNonNull(servers, "servers")).map(ServerAddress::parse)
                    .toList();
            return this;
        }

        /**
         * Sets the servers, tried in order at each reconnection.
         *
         * @param servers the servers
         * @return this builder
         */
        public Builder servers(List<ServerAddress> servers) {
            options.servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
            return this;
        }

        /**
         * Sets the longest a dial may take. Default 2 s.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder dialTimeout(Duration timeout) {
            options.dialTimeout = timeout;
            return this;
        }

        /**
         * Sets the read timeout ({@code SO_TIMEOUT}). Default 30 s; zero waits forever.
         *
         * @param timeout zero or positive
         * @return this builder
         */
        public Builder readTimeout(Duration timeout) {
            options.readTimeout = timeout;
            return this;
        }

        /**
         * Sets the first backoff after a failed reconnection round. Default 1 s.
         *
         * @param retryMin positive
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
         * Sets the backoff. Default exponential from {@code retryMin} to {@code retryMax}.
         *
         * @param backoff the backoff
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            options.backoff = backoff;
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
         * Adds a listener for dial, up, down and close events.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(ConnPoolListener listener) {
            options.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Counts the connection against a shared budget. Default none.
         *
         * @param budget the budget, or {@code null}
         * @return this builder
         */
        public Builder budget(ConnectionBudget budget) {
            options.budget = budget;
            return this;
        }

        /**
         * Validates the options and starts connecting in the background; does not wait for the connection
         * (see {@link ManagedConnection#awaitConnected(Duration)}).
         *
         * @return the managed connection
         * @throws IllegalArgumentException naming the first invalid option
         */
        public ManagedConnection build() {
            return new ManagedConnection(options.validated());
        }
    }
}
