package io.connpool.benchmarks.readtimeout;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Reads straight through to the socket's stream: with {@code SO_TIMEOUT} set the JDK bounds each read (a
 * non-blocking read, then {@code poll(2)} for the rest of the timeout, then a second read); with 0 a read blocks in
 * one {@code read(2)} for as long as it takes (no bound: the physical limit of the path).
 */
final class PlainReadConnection extends TimedConnection {

    private final long timeoutNanos;

    PlainReadConnection(Socket socket, long timeoutNanos) throws IOException {
        super(socket);
        this.timeoutNanos = timeoutNanos;
        socket.setSoTimeout((int) Math.max(0, timeoutNanos / 1_000_000));
    }

    @Override
    int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return rawInput.read(buffer, offset, length);
        }
        catch (SocketTimeoutException ex) {
            throw timeout(timeoutNanos, ex);
        }
    }
}
