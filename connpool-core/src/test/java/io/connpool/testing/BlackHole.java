package io.connpool.testing;

import io.connpool.ServerAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback address that never answers a connect, made without root: a listener with a backlog of one
 * that never accepts, filled with connections until the kernel drops further SYNs. A connect to it then
 * hangs until the client's own timeout, like a firewalled or crashed host.
 */
public final class BlackHole implements AutoCloseable {

    private static final int PROBE_TIMEOUT_MILLIS = 250;

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    private BlackHole(ServerSocket listener) {
        this.listener = listener;
    }

    /**
     * Opens a black hole and proves it: returns only once a connect to it has timed out.
     *
     * @throws IllegalStateException if this kernel keeps accepting connects (then no black hole exists)
     */
    public static BlackHole open() {
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            BlackHole hole = new BlackHole(listener);
            try {
                for (int i = 0; i < 64; i++) {
                    Socket socket = new Socket();
                    try {
                        socket.connect(listener.getLocalSocketAddress(), PROBE_TIMEOUT_MILLIS);
                        hole.fillers.add(socket);
                    }
                    catch (SocketTimeoutException dropped) {
                        socket.close();
                        return hole;
                    }
                }
            }
            catch (IOException | RuntimeException ex) {
                hole.close();
                throw ex;
            }
            hole.close();
            throw new IllegalStateException("The kernel accepted 64 connects to a full backlog-1 listener on loopback;"
                    + " it does not drop SYNs here, so no black hole can be made without root");
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot open a black hole on loopback", ex);
        }
    }

    public ServerAddress address() {
        return new ServerAddress("127.0.0.1", listener.getLocalPort());
    }

    /** {@code 127.0.0.1:port}. */
    public String hostPort() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    @Override
    public void close() {
        for (Socket socket : fillers) {
            closeQuietly(socket);
        }
        fillers.clear();
        closeQuietly(listener);
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
