package io.connpool.benchmarks.readtimeout;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A non-blocking channel with a selector of its own: a read first waits for data with one {@code epoll_wait}
 * bounded by the timeout, then reads what is there (two system calls, against the JDK's timed read that tries a
 * read first, then polls, then reads again). Reads and writes go through direct buffers of the connection's own.
 */
final class SelectorConnection extends TimedConnection {

    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutNanos;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(8192);
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(8192);
    private final Consumer<SelectionKey> ignore = key -> { };

    private SelectorConnection(SocketChannel channel, Selector selector, long timeoutNanos) {
        super(channel.socket(), null, null);
        this.channel = channel;
        this.selector = selector;
        this.timeoutNanos = timeoutNanos;
    }

    static SelectorConnection open(SocketChannel connected, long timeoutNanos) throws IOException {
        connected.configureBlocking(false);
        Selector selector = Selector.open();
        connected.register(selector, SelectionKey.OP_READ);
        return new SelectorConnection(connected, selector, timeoutNanos);
    }

    @Override
    int read(byte[] buffer, int offset, int length) throws IOException {
        ByteBuffer in = readBuffer;
        in.clear().limit(Math.min(length, in.capacity()));
        long start = System.nanoTime();
        long left = timeoutNanos;
        int n;
        // wait first, then read: a reply is rarely there yet right after the request went out
        while (true) {
            selector.select(ignore, Math.max(1, left / 1_000_000));
            if ((n = channel.read(in)) != 0) {
                break;
            }
            left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                throw timeout(timeoutNanos, null);
            }
        }
        if (n > 0) {
            in.flip();
            in.get(buffer, offset, n);
        }
        return n;
    }

    @Override
    OutputStream outputFor() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                while (length > 0) {
                    ByteBuffer out = writeBuffer;
                    out.clear();
                    int chunk = Math.min(length, out.capacity());
                    out.put(bytes, offset, chunk).flip();
                    while (out.hasRemaining()) {
                        if (channel.write(out) == 0) {
                            Thread.onSpinWait(); // the send buffer is full: rare for the benchmark's 64 bytes
                            if (!channel.isOpen()) {
                                throw new EOFException("connection closed while writing");
                            }
                        }
                    }
                    offset += chunk;
                    length -= chunk;
                }
            }
        };
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        }
        finally {
            channel.close();
        }
    }
}
