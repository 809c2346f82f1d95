package io.connpool.testing;

import io.connpool.ServerAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLContext;

/**
 * A line-protocol server on loopback for tests: each request line is answered with {@code name:line}.
 * It can be stopped and restarted on the same port, made to accept and never answer, reset or close
 * every connection, and it counts what it sees. One platform thread per connection: fine for tests.
 *
 * <p>Commands understood on a connection: any line is echoed as {@code name:line}; {@code quit} closes it;
 * {@code reset} resets it (SO_LINGER 0: an RST) instead of answering, a reset in the middle of a request.
 */
public final class TestServer implements AutoCloseable {

    /** What the server does with requests. */
    public enum Mode {
        /** Answer every line with {@code name:line}. */
        ECHO,
        /** Accept connections and read, but never answer. */
        SILENT,
        /** Accept, then close each new connection at once with a reset (SO_LINGER 0). */
        RESET_ON_ACCEPT
    }

    private final String name;
    private final ServerSocketFactory factory;
    private volatile Mode mode = Mode.ECHO;
    private volatile long replyDelayMillis;
    private volatile int port;
    private volatile ServerSocket listener;
    private volatile Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();

    private TestServer(String name, ServerSocketFactory factory) {
        this.name = name;
        this.factory = factory;
    }

    /** Starts a plain TCP server on a free loopback port. */
    public static TestServer start(String name) {
        TestServer server = new TestServer(name, ServerSocketFactory.getDefault());
        server.listen(0);
        return server;
    }

    /** Starts a TLS server on a free loopback port. */
    public static TestServer startTls(String name, SSLContext context) {
        TestServer server = new TestServer(name, context.getServerSocketFactory());
        server.listen(0);
        return server;
    }

    private void listen(int requestedPort) {
        try {
            ServerSocket socket = factory.createServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 128);
            listener = socket;
            port = socket.getLocalPort();
            Thread thread = new Thread(() -> acceptLoop(socket), "test-server-" + name + "-accept");
            thread.setDaemon(true);
            acceptor = thread;
            thread.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("test server " + name + " cannot listen on port " + requestedPort, ex);
        }
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                accepted.incrementAndGet();
                if (mode == Mode.RESET_ON_ACCEPT) {
                    connection.setSoLinger(true, 0);
                    connection.close();
                    continue;
                }
                open.add(connection);
                Thread handler = new Thread(() -> serve(connection), "test-server-" + name + "-conn");
                handler.setDaemon(true);
                handler.start();
            }
            catch (IOException ex) {
                return; // listener closed
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = connection.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                requests.incrementAndGet();
                if (line.equals("quit")) {
                    return;
                }
                if (line.equals("reset")) {
                    connection.setSoLinger(true, 0);
                    return;
                }
                long delay = replyDelayMillis;
                if (delay > 0) {
                    Thread.sleep(delay); // a slow server, not synchronisation
                }
                if (mode == Mode.ECHO) {
                    out.write((name + ":" + line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        }
        catch (IOException ex) {
            // connection reset or closed by the test
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            open.remove(connection);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public ServerAddress address() {
        return new ServerAddress("127.0.0.1", port);
    }

    /** {@code 127.0.0.1:port}. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public TestServer mode(Mode newMode) {
        this.mode = newMode;
        return this;
    }

    /** Delays every reply by the given time (a slow server); {@link java.time.Duration#ZERO} answers at once. */
    public TestServer replyDelay(java.time.Duration delay) {
        this.replyDelayMillis = delay.toMillis();
        return this;
    }

    /** Connections accepted since start (across restarts). */
    public int accepted() {
        return accepted.get();
    }

    /**
     * Connections open now, as the server sees them. One closed by {@link #stop()}, {@link #kill()},
     * {@link #closeConnections()} or {@link #resetConnections()} counts until its handler thread has let go
     * of the socket (a close while a thread reads it completes only then), so 0 means every FIN or RST is sent.
     */
    public int openConnections() {
        return open.size();
    }

    /** Request lines received. */
    public long requests() {
        return requests.get();
    }

    public boolean isRunning() {
        ServerSocket socket = listener;
        return socket != null && !socket.isClosed();
    }

    /** Stops listening and closes every connection (a FIN to each client). Connects are refused after. */
    public void stop() {
        closeListener();
        closeConnections(false);
    }

    /** Stops listening and resets every connection (SO_LINGER 0: an RST to each client). */
    public void kill() {
        closeListener();
        closeConnections(true);
    }

    /** Listens again on the same port. */
    public void restart() {
        if (isRunning()) {
            return;
        }
        listen(port);
    }

    /** Closes every open connection with a FIN, and keeps listening. */
    public void closeConnections() {
        closeConnections(false);
    }

    /** Resets every open connection (RST), and keeps listening. */
    public void resetConnections() {
        closeConnections(true);
    }

    private void closeListener() {
        ServerSocket socket = listener;
        if (socket != null) {
            try {
                socket.close();
            }
            catch (IOException ignored) {
                // closing anyway
            }
        }
        Thread thread = acceptor;
        if (thread != null) {
            try {
                thread.join(5_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeConnections(boolean reset) {
        for (Socket connection : open) {
            try {
                if (reset) {
                    connection.setSoLinger(true, 0);
                }
                connection.close();
            }
            catch (SocketException ignored) {
                // already gone
            }
            catch (IOException ignored) {
                // already gone
            }
            // not removed from open here: its handler does that once the socket is really closed
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "TestServer[" + name + " @" + port + ", " + mode + "]";
    }
}
