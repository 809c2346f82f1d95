package io.connpool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The connected socket of a {@link ManagedConnection}, its streams, and what its server's health needs to
 * judge its loss (when it connected, and the server's generation then).
 */
final class LiveConnection {

    final int index;
    final ServerAddress server;
    final Socket socket;
    final InputStream input;
    final OutputStream output;
    final long connectedNanos;
    final int generation;

    LiveConnection(int index, ServerAddress server, Socket socket, long connectedNanos, int generation)
            throws IOException {
        this.index = index;
        this.server = server;
        this.socket = socket;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
        this.connectedNanos = connectedNanos;
        this.generation = generation;
    }

    void close() {
        Sockets.closeQuietly(socket);
    }
}
