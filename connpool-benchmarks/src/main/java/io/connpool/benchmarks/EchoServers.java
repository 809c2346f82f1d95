package io.connpool.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback echo servers for the benchmarks: every byte received is sent back. One selector thread accepts on
 * all listeners. Each connection then gets either its own platform thread doing blocking reads (lowest
 * latency, used when the benchmark does I/O) or is served by the selector thread itself (cheap for a thousand
 * listeners whose connections only sit in a pool).
 *
 * <p>Not the test kit's {@code MockTcpServer}: that one is a test dependency (JUnit), not for a benchmark's
 * main class path, and it does work per request that a benchmark must not measure (it records every request,
 * signals its counters, and frames lines); a thousand listeners would also cost it a thousand accept
 * threads. A byte-for-byte echo keeps the request and reply sizes exact.
 */
public final class EchoServers implements AutoCloseable {

    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> connectionThreads = ConcurrentHashMap.newKeySet();
    private final boolean threadPerConnection;
    private final Selector selector;
    private final Thread selectorThread;
    private volatile boolean closed;

    private EchoServers(int count, boolean threadPerConnection) throws IOException {
        this.threadPerConnection = threadPerConnection;
        this.selector = Selector.open();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocketChannel listener = ServerSocketChannel.open();
                listeners.add(listener);
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
                listener.configureBlocking(false);
                listener.register(selector, SelectionKey.OP_ACCEPT);
            }
        }
        catch (IOException ex) {
            closeAll();
            throw ex;
        }
        this.selectorThread = new Thread(this::selectLoop, "echo-servers-selector");
        this.selectorThread.setDaemon(true);
        this.selectorThread.start();
    }

    /** One listener; each connection served by its own thread. */
    public static EchoServers single() {
        return start(1, true);
    }

    /**
     * Starts {@code count} listeners on free loopback ports.
     *
     * @param threadPerConnection a blocking thread per connection, else the selector thread echoes too
     */
    public static EchoServers start(int count, boolean threadPerConnection) {
        try {
            return new EchoServers(count, threadPerConnection);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not open " + count + " loopback listeners: " + ex.getMessage()
                    + " (raise the open-file limit, ulimit -n, if it says too many open files)", ex);
        }
    }

    public int count() {
        return listeners.size();
    }

    public InetSocketAddress address(int index) {
        try {
            return (InetSocketAddress) listeners.get(index).getLocalAddress();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** {@code host:port} of every listener, as the pool builder takes them. */
    public String[] hostPorts() {
        String[] all = new String[listeners.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = "127.0.0.1:" + address(i).getPort();
        }
        return all;
    }

    /** Connections accepted and still open. */
    public int openConnections() {
        return connections.size();
    }

    private void selectLoop() {
        try {
            while (!closed) {
                selector.select();
                Set<SelectionKey> ready = selector.selectedKeys();
                for (SelectionKey key : ready) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept((ServerSocketChannel) key.channel());
                    }
                    else {
                        echoNonBlocking(key);
                    }
                }
                ready.clear();
            }
        }
        catch (IOException | ClosedSelectorException ex) {
            if (!closed) {
                throw new IllegalStateException("echo server selector failed", ex);
            }
        }
    }

    private void accept(ServerSocketChannel listener) throws IOException {
        SocketChannel channel;
        while ((channel = listener.accept()) != null) {
            channel.socket().setTcpNoDelay(true);
            connections.add(channel);
            if (threadPerConnection) {
                channel.configureBlocking(true);
                SocketChannel accepted = channel;
                Thread thread = new Thread(() -> echoBlocking(accepted), "echo-server-connection");
                thread.setDaemon(true);
                connectionThreads.add(thread);
                thread.start();
            }
            else {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, ByteBuffer.allocateDirect(8192));
            }
        }
    }

    private void echoBlocking(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
        try {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                buffer.clear();
            }
        }
        catch (IOException ex) {
            // the client went away or the server is closing: either way this connection is done
        }
        finally {
            closeQuietly(channel);
            connectionThreads.remove(Thread.currentThread());
        }
    }

    private void echoNonBlocking(SelectionKey key) {
        SocketChannel channel = (SocketChannel) key.channel();
        ByteBuffer buffer = (ByteBuffer) key.attachment();
        try {
            if (key.isReadable() && channel.read(buffer) < 0) {
                key.cancel();
                closeQuietly(channel);
                return;
            }
            buffer.flip();
            channel.write(buffer);
            buffer.compact();
            // a reply the socket could not take yet: wait for room instead of reading more
            key.interestOps(buffer.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
        catch (IOException ex) {
            key.cancel();
            closeQuietly(channel);
        }
    }

    private void closeQuietly(SocketChannel channel) {
        connections.remove(channel);
        try {
            channel.close();
        }
        catch (IOException ignored) {
            // closing anyway
        }
    }

    private void closeAll() {
        for (ServerSocketChannel listener : listeners) {
            try {
                listener.close();
            }
            catch (IOException ignored) {
                // closing anyway
            }
        }
        for (SocketChannel channel : List.copyOf(connections)) {
            closeQuietly(channel);
        }
        try {
            selector.close();
        }
        catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            selectorThread.join(5_000);
            closeAll();
            for (Thread thread : List.copyOf(connectionThreads)) {
                thread.join(5_000);
            }
        }
        catch (InterruptedException ex) {
            closeAll(); // still release every socket, then let the caller see the interrupt
            Thread.currentThread().interrupt();
        }
    }
}
