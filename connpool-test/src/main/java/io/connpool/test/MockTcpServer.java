package io.connpool.test;

import io.connpool.Framing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLContext;

/**
 * A scriptable TCP server on loopback for testing a client: OkHttp's MockWebServer, for any TCP protocol.
 *
 * <pre>{@code
 * try (MockTcpServer server = MockTcpServer.start()) {       // a free loopback port; echoes each line
 *     server.handler(line -> "OK " + line);                 // one reply line per request line
 *     ConnPool pool = ConnPool.builder().servers(server.address()).build();
 *     // ... exercise the client ...
 *     assertThat(server.requests()).containsExactly("GET 42");
 *
 *     server.fault(MockTcpServer.Fault.RESET);              // the next request gets a TCP reset
 *     server.stop();                                        // refuses connects, closes every connection
 *     server.restart();                                     // the same port again
 * }
 * }</pre>
 *
 * <p><b>Serving.</b> Each request frame is read with the handler's {@link Framing} (by default
 * {@code Framing.lines(UTF_8)}, answering each line with itself) and answered with the frame the handler
 * returns, after the {@linkplain #delay(Duration) delay}; a handler that returns {@code null} sends no
 * reply. Requests that a client pipelines are each read exactly. A handler that throws closes that
 * connection only (the client sees end of stream); the throwable is recorded in {@link #errors()}, and the
 * server goes on serving other connections.
 *
 * <p><b>Faults</b> ({@link #fault(Fault)}) act on open and new connections alike, from their next request;
 * {@link #fault(Fault, Predicate)} aims one at some requests only.
 *
 * <p><b>Counters</b> are exact at the moments they document: {@link #acceptedConnections()} and
 * {@link #openConnections()} count a connection from the moment the server has accepted it, which is
 * shortly <em>after</em> a client's {@code connect()} returns (the kernel completes the handshake first), so
 * wait with {@link #awaitAcceptedConnections} or {@link #awaitOpenConnections} instead of reading them right
 * after a connect. A connection leaves {@link #openConnections()} once the server has closed its socket (its
 * FIN or RST has been sent); when {@link #stop()} or {@link #close()} returns, it is 0. {@link #requests()}
 * holds a request as soon as it has been read, before it is answered or a fault acts on it. Every getter is
 * also safe to poll from another thread (e.g. with Awaitility).
 *
 * <p>Thread-safe: one platform thread accepts and one serves each connection. Call {@link #close()} (or use
 * {@link MockTcpServerExtension}) when done.
 */
public final class MockTcpServer implements AutoCloseable {

    /** What the server does with requests, instead of serving them. */
    public enum Fault {
        /** Serve normally: read a request, answer it. */
        NONE,
        /** Read a request and answer it with a TCP reset (SO_LINGER 0, then close): the client sees an RST. */
        RESET,
        /** Read requests and never answer them: the client waits until its read timeout. */
        HANG,
        /** Read a request and close the connection (a FIN) without an answer: the client sees end of stream. */
        CLOSE,
        /**
         * Send unsolicited bytes on every connection: at once on every open one (idle ones included), on
         * every new one as soon as it is accepted, and as the answer to every request. The bytes are
         * {@code FF FF FF FF} followed by {@code "GARBAGE\n"}: a line reader sees a line that is no reply, a
         * 4-byte length-prefixed reader a length over any sane maximum frame size.
         */
        GARBAGE
    }

    static final byte[] GARBAGE = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'G', 'A', 'R', 'B', 'A', 'G',
        'E', '\n'};

    /** How long {@link #stop()} waits for each connection's thread to let go of its socket. */
    private static final long STOP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    private final ServerSocketFactory factory;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final ReentrantLock counterLock = new ReentrantLock();
    private final Condition counterChanged = counterLock.newCondition();
    private final Set<MockConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final AtomicLong garbageEpoch = new AtomicLong();
    private final ConcurrentLinkedQueue<Object> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private volatile Service<?> service = new Service<>(LINES, Function.identity());
    private volatile FaultRule faultRule = FaultRule.NONE;
    private volatile long delayNanos;
    private volatile int port;
    private volatile ServerSocket listener; // null while stopped
    private volatile boolean closed;
    private Thread acceptor; // guarded by lifecycle

    private MockTcpServer(ServerSocketFactory factory) {
        this.factory = factory;
    }

    /**
     * Starts a plain TCP server on a free loopback port, echoing each line.
     *
     * @return the started server
     * @throws UncheckedIOException if it cannot listen
     */
    public static MockTcpServer start() {
        return start(ServerSocketFactory.getDefault());
    }

    /**
     * Starts a TLS server on a free loopback port, echoing each line; the context's key manager holds the
     * server's certificate. Faults act on the TLS connection as on a plain one ({@link Fault#GARBAGE} sends
     * its bytes as TLS application data).
     *
     * @param context the server's TLS context
     * @return the started server
     * @throws UncheckedIOException if it cannot listen
     */
    public static MockTcpServer startTls(SSLContext context) {
        return start(context.getServerSocketFactory());
    }

    private static MockTcpServer start(ServerSocketFactory factory) {
        MockTcpServer server = new MockTcpServer(factory);
        server.lifecycle.lock();
        try {
            server.listen(0);
        }
        finally {
            server.lifecycle.unlock();
        }
        return server;
    }

    /**
     * Answers each request line ({@code Framing.lines(UTF_8)}) with the line the function returns.
     *
     * @param reply the reply to a request line (without its {@code '\n'}); {@code null} for no reply
     * @return this server
     */
    public MockTcpServer handler(Function<String, String> reply) {
        return handler(LINES, reply);
    }

    /**
     * Serves any framing: each request frame is answered with the frame the function returns. Applies to
     * each connection from its next request on; set it before the client connects.
     *
     * @param framing how requests and replies are framed, e.g. {@code Framing.lengthPrefixed(4)}
     * @param reply the reply to a request frame; {@code null} for no reply
     * @param <T> the frame type
     * @return this server
     */
    public <T> MockTcpServer handler(Framing<T> framing, Function<T, T> reply) {
        this.service = new Service<>(Objects.requireNonNull(framing, "framing"), Objects.requireNonNull(reply, "reply"));
        return this;
    }

    /**
     * Injects a fault, or ends one with {@link Fault#NONE}. Acts on open and new connections alike.
     * Replaces any earlier fault, including one for some requests only.
     *
     * @param newFault the fault
     * @return this server
     */
    public MockTcpServer fault(Fault newFault) {
        Objects.requireNonNull(newFault, "fault");
        if (newFault == Fault.GARBAGE) {
            long epoch = garbageEpoch.incrementAndGet(); // before the fault: who sees GARBAGE sees this epoch
            this.faultRule = new FaultRule(newFault, null);
            connections.forEach(connection -> connection.sendUnsolicitedGarbage(epoch));
        }
        else {
            this.faultRule = newFault == Fault.NONE ? FaultRule.NONE : new FaultRule(newFault, null);
        }
        return this;
    }

    /**
     * Injects a fault for some requests only: each request the predicate accepts gets the fault, every other
     * one is served normally, on open and new connections alike. A server that resets one kind of request,
     * mixed with traffic it serves:
     *
     * <pre>{@code
     * server.fault(MockTcpServer.Fault.RESET, "reset"::equals);         // an RST instead of the answer to "reset"
     * server.<String>fault(MockTcpServer.Fault.HANG, line -> line.startsWith("SLOW "));
     * }</pre>
     *
     * <p>{@link Fault#GARBAGE} answers the accepted requests with garbage and sends nothing unsolicited.
     * Replaces any earlier fault; {@link #fault(Fault)} replaces this one. A predicate that throws (for
     * example a {@code ClassCastException} because it expects another frame type than the handler's framing
     * reads) closes that connection and is recorded in {@link #errors()}, like a handler that throws.
     *
     * @param newFault the fault
     * @param requests which requests it acts on; it is given each request frame as the handler's framing read
     *     it ({@code String} for lines)
     * @param <T> the frame type
     * @return this server
     */
    @SuppressWarnings("unchecked")
    public <T> MockTcpServer fault(Fault newFault, Predicate<? super T> requests) {
        Objects.requireNonNull(newFault, "fault");
        Objects.requireNonNull(requests, "requests");
        this.faultRule = new FaultRule(newFault, (Predicate<Object>) requests);
        return this;
    }

    /**
     * Delays every answer (a reply, garbage, a reset, a close) by this much after the request was read.
     *
     * @param delay the reply latency; {@link Duration#ZERO} answers at once
     * @return this server
     * @throws IllegalArgumentException if the delay is negative
     */
    public MockTcpServer delay(Duration delay) {
        if (Objects.requireNonNull(delay, "delay").isNegative()) {
            throw new IllegalArgumentException("MockTcpServer.delay(" + delay + "): a reply latency cannot be negative");
        }
        this.delayNanos = delay.toNanos();
        return this;
    }

    /**
     * Returns the address as {@code ConnPool.Builder.servers(..)} and {@code connpool.servers} take it.
     *
     * @return {@code "127.0.0.1:PORT"}
     */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /**
     * Returns the port, which stays the same across {@link #restart()}.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * Returns whether the server listens (started or restarted, not stopped or closed).
     *
     * @return whether it listens
     */
    public boolean isRunning() {
        return listener != null;
    }

    /**
     * Stops listening (connects are refused) and closes every open connection with a FIN. Returns once
     * every connection's socket is closed: {@link #openConnections()} is 0 then. Has no effect if stopped.
     *
     * @throws IllegalStateException if a connection's thread kept its socket for 10 s (a handler that
     *     blocks and ignores interrupts)
     */
    public void stop() {
        lifecycle.lock();
        try {
            stopListening();
            closeAll(false);
        }
        finally {
            lifecycle.unlock();
        }
    }

    /**
     * Stops if running, then listens on the same port again, keeping handler, fault, delay, counters and
     * recorded requests.
     *
     * @throws IllegalStateException if the server is closed
     * @throws UncheckedIOException if the port cannot be bound again (another process took it)
     */
    public void restart() {
        lifecycle.lock();
        try {
            if (closed) {
                throw new IllegalStateException("MockTcpServer " + address() + " is closed and cannot restart;"
                        + " use stop() and restart() for a server that comes back");
            }
            stopListening();
            closeAll(false);
            listen(port);
        }
        finally {
            lifecycle.unlock();
        }
    }

    /**
     * Closes every open connection with a FIN and keeps listening, as a server that closes idle
     * connections does. Returns once their sockets are closed.
     */
    public void closeConnections() {
        closeAll(false);
    }

    /** Resets every open connection (an RST) and keeps listening. Returns once their sockets are closed. */
    public void resetConnections() {
        closeAll(true);
    }

    /**
     * Returns how many connections the server has accepted since it started, across restarts.
     *
     * @return connections accepted
     */
    public int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Returns how many connections are open on the server's side: accepted and not yet closed.
     *
     * @return connections open
     */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Returns the requests read so far, on every connection, in the order they were read: {@code String}s
     * for a line handler, the framing's frames (e.g. {@code byte[]}) for another. Kept across restarts.
     *
     * @param <T> the frame type of the handler that read them
     * @return a snapshot, immutable
     */
    @SuppressWarnings("unchecked")
    public <T> List<T> requests() {
        return (List<T>) List.copyOf(requests);
    }

    /**
     * Returns what went wrong on the server's side, in order: each throwable of a handler that threw, each
     * request that could not be read (truncated, over the framing's maximum frame size, a failed TLS
     * handshake), each reply the framing refused. Connections closed or reset by the client are not errors.
     *
     * @return a snapshot, immutable
     */
    public List<Throwable> errors() {
        return List.copyOf(errors);
    }

    /**
     * Waits until exactly {@code expected} connections are open.
     *
     * @param expected the number of open connections to wait for
     * @param timeout the longest wait
     * @throws AssertionError if the count is another one at the timeout (the message says which)
     */
    public void awaitOpenConnections(int expected, Duration timeout) {
        await(expected + " open connections", connections::size, expected, true, timeout);
    }

    /**
     * Waits until at least {@code atLeast} connections have been accepted in all.
     *
     * @param atLeast the number of accepted connections to wait for
     * @param timeout the longest wait
     * @throws AssertionError if fewer were accepted at the timeout
     */
    public void awaitAcceptedConnections(int atLeast, Duration timeout) {
        await("at least " + atLeast + " accepted connections", accepted::get, atLeast, false, timeout);
    }

    /**
     * Waits until at least {@code atLeast} requests have been read in all.
     *
     * @param atLeast the number of requests to wait for
     * @param timeout the longest wait
     * @throws AssertionError if fewer were read at the timeout
     */
    public void awaitRequests(int atLeast, Duration timeout) {
        await("at least " + atLeast + " requests", requestCount::get, atLeast, false, timeout);
    }

    /** Stops the server for good; it cannot restart. Idempotent. */
    @Override
    public void close() {
        lifecycle.lock();
        try {
            closed = true;
            stopListening();
            closeAll(false);
        }
        finally {
            lifecycle.unlock();
        }
    }

    @Override
    public String toString() {
        FaultRule rule = faultRule;
        return "MockTcpServer[" + address() + (closed ? ", closed" : isRunning() ? "" : ", stopped") + ", fault "
                + rule.fault() + (rule.requests() == null ? "" : " on some requests") + ", delay " + TimeUnit.NANOSECONDS.toMillis(delayNanos) + " ms, open " + connections.size()
                + ", accepted " + accepted.get() + ", requests " + requestCount.get() + ", errors " + errors.size()
                + "]";
    }

    // --- for MockConnection

    Service<?> service() {
        return service;
    }

    /** The fault every request gets; NONE while there is none, or one for some requests only. */
    Fault faultForAll() {
        FaultRule rule = faultRule;
        return rule.requests() == null ? rule.fault() : Fault.NONE;
    }

    /** The fault this request gets. */
    Fault faultFor(Object request) {
        FaultRule rule = faultRule;
        return rule.requests() == null || rule.requests().test(request) ? rule.fault() : Fault.NONE;
    }

    long garbageEpoch() {
        return garbageEpoch.get();
    }

    long delayNanos() {
        return delayNanos;
    }

    void recordRequest(Object request) {
        requests.add(request);
        requestCount.incrementAndGet();
        signalCounters();
    }

    void recordError(Throwable error) {
        errors.add(error);
    }

    void connectionClosed(MockConnection connection) {
        if (connections.remove(connection)) {
            signalCounters();
        }
    }

    // --- lifecycle, under the lifecycle lock

    private void listen(int requestedPort) {
        ServerSocket socket = null;
        try {
            socket = factory.createServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 128);
        }
        catch (IOException ex) {
            MockConnection.closeQuietly(socket);
            throw new UncheckedIOException("MockTcpServer cannot listen on 127.0.0.1:" + requestedPort
                    + (requestedPort == 0 ? "" : " again (did another process take the port while it was stopped?)")
                    + ": " + ex.getMessage(), ex);
        }
        ServerSocket bound = socket;
        port = bound.getLocalPort();
        listener = bound;
        Thread thread = new Thread(() -> acceptLoop(bound), "mock-tcp-server-" + port + "-accept");
        thread.setDaemon(true);
        acceptor = thread;
        thread.start();
    }

    private void acceptLoop(ServerSocket socket) {
        while (true) {
            Socket accepted;
            try {
                accepted = socket.accept();
            }
            catch (IOException ex) {
                if (!socket.isClosed()) {
                    recordError(ex); // e.g. out of file descriptors: this listener accepts no more
                }
                return;
            }
            MockConnection connection = new MockConnection(this, accepted);
            connections.add(connection);
            this.accepted.incrementAndGet();
            signalCounters();
            connection.start();
        }
    }

    private void stopListening() {
        ServerSocket socket = listener;
        listener = null;
        MockConnection.closeQuietly(socket);
        Thread thread = acceptor;
        acceptor = null;
        if (thread != null) {
            joinUninterruptibly(thread, STOP_TIMEOUT_NANOS); // then no connection is added any more
        }
    }

    private void closeAll(boolean reset) {
        List<MockConnection> closing = List.copyOf(connections);
        closing.forEach(connection -> connection.close(reset));
        long deadline = System.nanoTime() + STOP_TIMEOUT_NANOS;
        for (MockConnection connection : closing) {
            if (!connection.awaitEnd(deadline - System.nanoTime())) {
                throw new IllegalStateException("MockTcpServer " + address() + ": a connection's thread still held"
                        + " its socket 10 s after it was closed; does a handler block and ignore interrupts?");
            }
        }
    }

    private static void joinUninterruptibly(Thread thread, long nanos) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + nanos;
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // --- counters

    private void signalCounters() {
        counterLock.lock();
        try {
            counterChanged.signalAll();
        }
        finally {
            counterLock.unlock();
        }
    }

    private void await(String what, IntSupplier value, int target, boolean exactly, Duration timeout) {
        long left = Objects.requireNonNull(timeout, "timeout").toNanos();
        counterLock.lock();
        try {
            while (exactly ? value.getAsInt() != target : value.getAsInt() < target) {
                if (left <= 0) {
                    throw new AssertionError("MockTcpServer " + address() + " did not reach " + what + " within "
                            + timeout + ": now " + this);
                }
                left = counterChanged.awaitNanos(left);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what + " on MockTcpServer " + address(), ex);
        }
        finally {
            counterLock.unlock();
        }
    }

    /** A fault and the requests it acts on ({@code null}: all of them, and GARBAGE unsolicited too). */
    record FaultRule(Fault fault, Predicate<Object> requests) {
        static final FaultRule NONE = new FaultRule(Fault.NONE, null);
    }

    /** A handler: its framing and its reply function, replaced together. */
    record Service<T>(Framing<T> framing, Function<T, T> reply) {
    }
}
