package io.connpool.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback port that drops SYNs, made without root: a listener with a backlog of one that never accepts,
 * its accept queue filled with connections of its own. Linux drops a SYN to a listener whose accept queue is
 * full, so a connect to it hangs until the client's own timeout, as into a firewalled or crashed host.
 *
 * <p>Kept apart from {@code MockTcpServer} on purpose: a mock server accepts every connection (that is its
 * job), while this one must never accept until told to. {@link #startAccepting()} then empties the queue and
 * answers each line with {@code hole:line}: the hole becomes a working server on the same port, as a host
 * that comes back.
 */
public final class BlackHole implements AutoCloseable {

    private static final int PROBE_TIMEOUT_MILLIS = 250;
    private static final int MAX_FILLERS = 64;

    private final ServerSocket listener;
    private final List<Socket> fillers = new CopyOnWriteArrayList<>();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private volatile Thread acceptor;

    private BlackHole(ServerSocket listener) {
        this.listener = listener;
    }

    /**
     * Opens a black hole and proves it: returns only once a connect to it has timed out.
     *
     * @throws IllegalStateException if this kernel keeps accepting connects (then no black hole exists)
     */
    public static BlackHole open() {
        BlackHole hole;
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            hole = new BlackHole(listener);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot open a black hole on loopback", ex);
        }
        try {
            for (int i = 0; i < MAX_FILLERS; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(hole.listener.getLocalSocketAddress(), PROBE_TIMEOUT_MILLIS);
                    hole.fillers.add(socket);
                }
                catch (SocketTimeoutException dropped) {
                    socket.close();
                    return hole; // a SYN was dropped: the queue is full
                }
            }
        }
        catch (IOException ex) {
            hole.close();
            throw new UncheckedIOException("cannot fill the black hole's accept queue on loopback", ex);
        }
        hole.close();
        throw new IllegalStateException("The kernel accepted " + MAX_FILLERS + " connects to a full backlog-1"
                + " listener on loopback; it does not drop SYNs here (net.ipv4.tcp_abort_on_overflow?), so no black"
                + " hole can be made without root");
    }

    /** {@code 127.0.0.1:port}, as {@code ConnPool.Builder.servers(..)} takes it. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Starts accepting: the queued fillers are taken, new SYNs are answered again, each line with {@code hole:line}. */
    public void startAccepting() {
        Thread thread = new Thread(this::acceptLoop, "test-server-hole-accept");
        thread.setDaemon(true);
        acceptor = thread;
        thread.start();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket connection = listener.accept();
                accepted.add(connection);
                Thread handler = new Thread(() -> serve(connection), "test-server-hole-conn");
                handler.setDaemon(true);
                handler.start();
            }
            catch (IOException closed) {
                return;
            }
        }
    }

    private static void serve(Socket connection) {
        try (connection) {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = connection.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                out.write(("hole:" + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
        catch (IOException ex) {
            // closed by the test
        }
    }

    @Override
    public void close() {
        closeQuietly(listener);
        fillers.forEach(BlackHole::closeQuietly);
        accepted.forEach(BlackHole::closeQuietly);
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

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception ignored) {
            // closing anyway
        }
    }
}
