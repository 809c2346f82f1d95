package io.connpool;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Tells whether an idle connection can still be used: the peer has not closed or reset it and has not
 * sent bytes nobody asked for (which would be read as the reply to the next request).
 */
final class LivenessCheck {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnPool.class);

    private LivenessCheck() {
    }

    /**
     * Whether an idle connection may be lent after {@code validationInterval} of idleness: alive, and
     * accepted by the pool's validator if it has one. Logs why not.
     */
    static boolean fitToLend(PoolEntry entry, ConnectionValidator validator, String poolName) {
        String problem = problem(entry.socket);
        if (problem == null && validator != null) {
            try {
                problem = validator.isValid(entry.socket) ? null : "rejected by the validator";
            }
            catch (IOException | RuntimeException ex) {
                problem = "validator failed: " + PoolErrors.describe(ex);
            }
        }
        if (problem != null) {
            log.debug("Pool '{}' discards an idle {}: {}", poolName, entry, problem);
            return false;
        }
        return true;
    }

    /** Returns null if the connection is fine, else why not. */
    static String problem(Socket socket) {
        if (socket.isClosed() || socket.isInputShutdown() || socket.isOutputShutdown()) {
            return "socket closed";
        }
        // A channel read on an interrupted thread closes the channel, and with it a healthy connection: look
        // with the borrower's interrupt flag clear, then put it back for the borrower to see.
        boolean interrupted = Thread.interrupted();
        try {
            SocketChannel channel = socket.getChannel();
            return channel != null ? peekWithoutBlocking(channel) : peekWithShortTimeout(socket);
        }
        catch (IOException ex) {
            return PoolErrors.describe(ex);
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Plain TCP from {@link Dialer#tcp()}: a non-blocking read answers at once. */
    private static String peekWithoutBlocking(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        try {
            int read = channel.read(ByteBuffer.allocate(1));
            return read == 0 ? null : read < 0 ? "closed by the server" : "unexpected bytes from the server";
        }
        finally {
            channel.configureBlocking(true);
        }
    }

    /** TLS or a user dialer's socket: a 1 ms read that must time out. */
    private static String peekWithShortTimeout(Socket socket) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(1);
        try {
            int read = socket.getInputStream().read();
            return read < 0 ? "closed by the server" : "unexpected bytes from the server";
        }
        catch (SocketTimeoutException expected) {
            return null;
        }
        finally {
            socket.setSoTimeout(timeout);
        }
    }
}
