package io.connpool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Plain TCP. Sockets come from a {@link SocketChannel} so the pool can check an idle connection for a
 * peer close without blocking (see {@link LivenessCheck}). The host name is looked up within the dial
 * timeout too ({@link HostLookup}), so a slow resolver cannot hold a caller past it.
 */
final class TcpDialer implements Dialer {

    static final TcpDialer INSTANCE = new TcpDialer(HostLookup.SYSTEM);

    private final HostLookup lookup;

    TcpDialer(HostLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public Socket dial(ServerAddress server, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InetAddress address = lookup.resolve(server.host(), timeout.toNanos())[0];
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("looking up '" + server.host() + "' took the whole dial timeout of "
                    + timeout.toMillis() + " ms");
        }
        return connect(address, server.port(), left, timeout);
    }

    /** Connects to the address the name resolved to, without looking it up again. */
    @Override
    public Socket dial(ServerAddress server, InetAddress address, Duration timeout) throws IOException {
        return connect(address, server.port(), timeout.toNanos(), timeout);
    }

    private static Socket connect(InetAddress address, int port, long left, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open();
        Socket socket = channel.socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address, port), timeoutMillis(Duration.ofNanos(left)));
            return socket;
        }
        catch (SocketTimeoutException ex) {
            channel.close();
            SocketTimeoutException timedOut = new SocketTimeoutException(
                    "connect timed out after " + timeout.toMillis() + " ms");
            timedOut.initCause(ex);
            throw timedOut;
        }
        catch (IOException | RuntimeException ex) {
            channel.close();
            throw ex;
        }
    }

    static int timeoutMillis(Duration timeout) {
        long millis = Math.max(1, timeout.toMillis());
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    @Override
    public String toString() {
        return "Dialer.tcp()";
    }
}
