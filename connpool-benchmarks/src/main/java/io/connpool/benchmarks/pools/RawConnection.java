package io.connpool.benchmarks.pools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * A socket and its streams, as the peers hold it. The streams are fetched once: a channel socket's
 * {@code getInputStream()} makes a new stream per call, and connpool caches them too, so each peer pays the
 * same per-operation cost.
 */
public class RawConnection implements AutoCloseable {

    public final Socket socket;
    public final InputStream input;
    public final OutputStream output;

    public RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
    }

    /** Dials as connpool's default {@code Dialer.tcp()} does: a channel socket, TCP_NODELAY, SO_KEEPALIVE. */
    public static RawConnection dial(InetSocketAddress server) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(server, 2_000);
            return new RawConnection(socket);
        }
        catch (IOException | RuntimeException ex) {
            channel.close();
            throw ex;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
