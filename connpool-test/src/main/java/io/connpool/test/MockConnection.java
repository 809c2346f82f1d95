package io.connpool.test;

import io.connpool.test.MockTcpServer.Fault;
import io.connpool.test.MockTcpServer.Service;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;

/**
 * One accepted connection of a {@link MockTcpServer} and the thread that serves it. Its socket is closed
 * either by that thread (end of stream, a fault, a failed handler) or by the server (stop, close or reset
 * of all connections); either way the thread closes it last and then tells the server, so the server's
 * open count drops only once the socket is really closed.
 */
final class MockConnection {

    private static final AtomicLong IDS = new AtomicLong();

    private final MockTcpServer server;
    private final Socket socket;
    private final Thread thread;
    /** Replies and garbage from other threads never interleave. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Counted down when the server closes this connection: ends a reply delay at once. */
    private final CountDownLatch closedByServer = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean reset;
    private volatile OutputStream out;
    private long garbageEpoch; // guarded by writeLock

    MockConnection(MockTcpServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        this.thread = new Thread(this::run, "mock-tcp-server-" + socket.getLocalPort() + "-conn-" + IDS.incrementAndGet());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            socket.setTcpNoDelay(true); // each reply goes out when written, as from a real server
            InputStream in = new BufferedInputStream(socket.getInputStream());
            writeLock.lock();
            try {
                out = socket.getOutputStream();
            }
            finally {
                writeLock.unlock();
            }
            if (server.faultForAll() == Fault.GARBAGE) {
                sendUnsolicitedGarbage(server.garbageEpoch());
            }
            // the handler is taken when a request starts to arrive, so a change reaches idle connections too
            while (requestArrives(in) && serveOne(in, server.service())) {
                // next request
            }
        }
        catch (IOException ex) {
            // reset or closed under us: the client sees that, nothing to record
        }
        finally {
            closeSocket();
            server.connectionClosed(this); // before ended: when stop() returns, the count is exact
            ended.countDown();
        }
    }

    /** Waits for the first byte of a request; false at end of stream (or if the connection broke). */
    private boolean requestArrives(InputStream in) {
        try {
            in.mark(1);
            if (in.read() < 0) {
                return false; // the client closed the connection between requests
            }
            in.reset();
            return true;
        }
        catch (IOException ex) {
            unreadable(ex);
            return false;
        }
    }

    private void unreadable(IOException ex) {
        if (!(ex instanceof SocketException) && closedByServer.getCount() > 0) {
            server.recordError(ex); // truncated, too large, a failed TLS handshake; not a close or reset
        }
    }

    /** Reads one request and answers it; returns whether to read another. */
    private <T> boolean serveOne(InputStream in, Service<T> service) throws IOException {
        T request;
        try {
            request = service.framing().read(in);
        }
        catch (IOException ex) {
            unreadable(ex);
            return false;
        }
        server.recordRequest(request);
        Fault fault;
        T reply = null;
        try {
            fault = server.faultFor(request);
            if (fault == Fault.HANG) {
                return true;
            }
            if (fault == Fault.NONE) {
                reply = service.reply().apply(request);
            }
        }
        catch (Throwable failure) { // the handler, or the predicate of a fault for some requests
            if (closedByServer.getCount() > 0) {
                server.recordError(failure); // not a handler interrupted by stop()
            }
            return false;
        }
        if (!awaitDelay()) {
            return false;
        }
        switch (fault) {
            case RESET -> {
                reset = true;
                return false;
            }
            case CLOSE -> {
                if (!(socket instanceof SSLSocket)) {
                    socket.shutdownOutput(); // the FIN goes out even if unread bytes would turn close() into an RST
                }
                return false;
            }
            case GARBAGE -> {
                sendGarbage();
                return true;
            }
            default -> {
                return reply == null || send(service, reply);
            }
        }
    }

    private <T> boolean send(Service<T> service, T reply) throws IOException {
        writeLock.lock();
        try {
            service.framing().write(out, reply);
            out.flush();
            return true;
        }
        catch (IllegalArgumentException refused) {
            server.recordError(refused); // too large for the framing, or no valid frame
            return false;
        }
        finally {
            writeLock.unlock();
        }
    }

    private boolean awaitDelay() {
        long nanos = server.delayNanos();
        if (nanos == 0) {
            return true;
        }
        try {
            return !closedByServer.await(nanos, TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            return false; // the server is closing this connection
        }
    }

    private void sendGarbage() throws IOException {
        writeLock.lock();
        try {
            if (out != null) {
                out.write(MockTcpServer.GARBAGE);
                out.flush();
            }
        }
        finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends the unsolicited garbage of one {@code fault(GARBAGE)} call (its epoch) once, though both the
     * server and this connection's own start may try.
     */
    void sendUnsolicitedGarbage(long epoch) {
        writeLock.lock();
        try {
            if (out != null && garbageEpoch < epoch) {
                garbageEpoch = epoch;
                sendGarbage();
            }
        }
        catch (IOException ex) {
            // closing anyway: its thread sees the failure on its next read
        }
        finally {
            writeLock.unlock();
        }
    }

    /** From the server: closes the socket (with an RST if asked), which ends the serving thread. */
    void close(boolean withReset) {
        if (withReset) {
            reset = true;
        }
        closedByServer.countDown();
        closeSocket();
        if (thread != Thread.currentThread()) {
            thread.interrupt(); // a handler blocked in a wait of its own
        }
    }

    /** Waits until the serving thread has closed the socket; true at once if called from that thread. */
    boolean awaitEnd(long nanos) {
        if (thread == Thread.currentThread()) {
            return true;
        }
        try {
            return ended.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return ended.getCount() == 0;
        }
    }

    private void closeSocket() {
        if (reset) {
            try {
                socket.setSoLinger(true, 0);
            }
            catch (IOException ex) {
                // already closed
            }
        }
        closeQuietly(socket);
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        }
        catch (Exception ex) {
            // closing anyway
        }
    }
}
