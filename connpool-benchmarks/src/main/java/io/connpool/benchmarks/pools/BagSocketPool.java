package io.connpool.benchmarks.pools;

import com.zaxxer.hikari.util.ConcurrentBag;
import com.zaxxer.hikari.util.ConcurrentBag.IConcurrentBagEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * HikariCP's {@link ConcurrentBag} holding the same sockets, with none of a pool's features (no health, no
 * validation, no dialing on demand, no metrics): the floor for a borrow/return hand-off.
 */
public final class BagSocketPool implements SocketPool<BagSocketPool.Entry> {

    public static final String NAME = "concurrentbag";

    private final InetSocketAddress server;
    // Every connection is added up front, so the bag never has to ask for more.
    private final ConcurrentBag<Entry> bag = new ConcurrentBag<>(waiting -> { });

    public BagSocketPool(InetSocketAddress server) {
        this.server = server;
    }

    @Override
    public Entry acquire() throws Exception {
        Entry entry = bag.borrow(5, TimeUnit.SECONDS);
        if (entry == null) {
            throw new IllegalStateException("ConcurrentBag gave no socket to " + server + " within 5 s");
        }
        return entry;
    }

    @Override
    public void release(Entry lease) {
        bag.requite(lease);
    }

    @Override
    public Socket socket(Entry lease) {
        return lease.socket;
    }

    @Override
    public InputStream input(Entry lease) {
        return lease.input;
    }

    @Override
    public OutputStream output(Entry lease) {
        return lease.output;
    }

    @Override
    public void fill(int connections) throws IOException {
        for (int i = 0; i < connections; i++) {
            bag.add(new Entry(RawConnection.dial(server).socket));
        }
    }

    @Override
    public void close() throws IOException {
        bag.close();
        for (Entry entry : bag.values()) {
            entry.close();
        }
    }

    /** A socket in the bag: the state field is all a bag entry needs. */
    public static final class Entry extends RawConnection implements IConcurrentBagEntry {

        private static final AtomicIntegerFieldUpdater<Entry> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Entry.class, "state");

        private volatile int state;

        Entry(Socket socket) throws IOException {
            super(socket);
        }

        @Override
        public boolean compareAndSet(int expect, int update) {
            return STATE.compareAndSet(this, expect, update);
        }

        @Override
        public void setState(int update) {
            STATE.set(this, update);
        }

        @Override
        public int getState() {
            return state;
        }
    }
}
