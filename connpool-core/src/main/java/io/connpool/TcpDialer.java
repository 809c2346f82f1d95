package io.connpool;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Plain TCP. Sockets come from a {@link SocketChannel} so the pool can check an idle connection for a
 * peer close without blocking (see {@link LivenessCheck}).
 */
final class TcpDialer implements Dialer {

    static final TcpDialer INSTANCE = new TcpDialer();

    private TcpDialer() {
    }

    @Override
    public Socket dial(ServerAddress server, Duration timeout) throws IOException {
        InetSocketAddress target = new InetSocketAddress(server.host(), server.port());
        if (target.isUnresolved()) {
            throw new UnknownHostException("cannot resolve host '" + server.host() + "'");
        }
        SocketChannel channel = SocketChannel.open();
        Socket socket = channel.socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(target, timeoutMillis(timeout));
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
