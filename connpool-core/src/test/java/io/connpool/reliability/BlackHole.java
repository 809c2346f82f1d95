package io.connpool.reliability;

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
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback port that drops SYNs: a listener with a backlog of 1 that never accepts, its accept queue filled
 * by connections of its own. Linux drops a SYN to a listener whose accept queue is full, so a dial hangs until
 * its timeout, as into a firewalled host. {@link #open()} starts accepting (and answering {@code hole:line}),
 * which empties the queue: the hole becomes a working server on the same port.
 */
final class BlackHole implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();
    private final List<Socket> accepted = new ArrayList<>();
    private volatile Thread acceptor;

    BlackHole() {
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            for (int i = 0; i < 16; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(listener.getLocalSocketAddress(), 300);
                    fillers.add(filler);
                }
                catch (SocketTimeoutException full) {
                    filler.close();
                    return; // a SYN was dropped: the queue is full
                }
            }
            close();
            throw new IllegalStateException("16 connects to a listener with backlog 1 that never accepts all"
                    + " succeeded: this kernel does not drop SYNs on a full accept queue (net.ipv4.tcp_abort_on_overflow?),"
                    + " so it cannot simulate a black hole");
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot set up the black hole on loopback", ex);
        }
    }

    ServerAddress address() {
        return new ServerAddress("127.0.0.1", listener.getLocalPort());
    }

    String hostPort() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Starts accepting: the queued fillers are taken, new SYNs are answered again. */
    void open() {
        Thread thread = new Thread(this::acceptLoop, "test-server-hole-accept");
        thread.setDaemon(true);
        acceptor = thread;
        thread.start();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket connection = listener.accept();
                synchronized (accepted) {
                    accepted.add(connection);
                }
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
        for (Socket filler : fillers) {
            closeQuietly(filler);
        }
        synchronized (accepted) {
            accepted.forEach(BlackHole::closeQuietly);
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

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        }
        catch (IOException ignored) {
            // closing anyway
        }
    }
}
