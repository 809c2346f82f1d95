package io.connpool;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;

/**
 * Tells whether an idle connection can still be used: the peer has not closed or reset it and has not
 * sent bytes nobody asked for (which would be read as the reply to the next request).
 */
final class LivenessCheck {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConnPool.class);

    private LivenessCheck() {
    }

    /**
     * Whether an idle connection may be lent after {@code validationInterval} without a borrow: alive, and
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
            // An SSLSocket layered over a channel socket reports that channel: its bytes are TLS records, which
            // only the SSLSocket may read (a raw peek would swallow part of one, or take a session ticket for
            // unexpected data).
            SocketChannel channel = socket.getChannel();
            if (socket instanceof SSLSocket) {
                return channel != null && !Readiness.readable(channel) ? null : peekWithShortTimeout(socket);
            }
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

    /**
     * A 1 ms read that must time out: for a user dialer's socket, and for TLS when something did arrive (a
     * session ticket is taken in and the read still times out; a close or data is a problem).
     */
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

    /**
     * Whether bytes (or a close) wait on a channel, asked of a selector without reading them: for TLS, where
     * nothing waiting means the connection is fine and no 1 ms read is needed. One selector for the JVM,
     * opened on first use; a check registers, selects without waiting and deregisters again, so the channel
     * can go back to blocking.
     */
    private static final class Readiness {

        private static final ReentrantLock LOCK = new ReentrantLock();
        private static Selector selector;

        static boolean readable(SocketChannel channel) throws IOException {
            LOCK.lock();
            try {
                if (selector == null) {
                    selector = Selector.open();
                }
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                try {
                    selector.selectNow();
                    return key.isValid() && key.isReadable();
                }
                finally {
                    key.cancel();
                    selector.selectNow(); // deregisters the key: a registered channel cannot block again
                    selector.selectedKeys().clear();
                    channel.configureBlocking(true);
                }
            }
            finally {
                LOCK.unlock();
            }
        }
    }
}
