package io.connpool.benchmarks.readtimeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * OkHttp's {@code AsyncTimeout} shape: armed reads wait in a queue ordered by deadline (an intrusive doubly
 * linked list, so no allocation per read), guarded by one lock; the watchdog thread sleeps until the head's
 * deadline and closes that connection if it is still queued. Per read: a clock read and two lock round trips;
 * the thread is signalled when a new head arrives. Every connection here shares one timeout, so a new deadline
 * is never earlier than those queued and insertion from the tail is O(1). Fires at the deadline plus scheduling.
 */
final class QueueWatchdog implements Watchdog {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long timeoutNanos;
    private final Thread thread;
    private WatchedConnection head;
    private WatchedConnection tail;
    private boolean closed;

    QueueWatchdog(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
        this.thread = new Thread(this::watchLoop, "read-timeout-queue");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void register(WatchedConnection connection) {
        // nothing to do until it reads
    }

    @Override
    public void unregister(WatchedConnection connection) {
        exit(connection);
    }

    @Override
    public void enter(WatchedConnection connection) {
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            connection.queuedDeadline = deadline;
            connection.expired = false;
            WatchedConnection after = tail;
            while (after != null && after.queuedDeadline - deadline > 0) {
                after = after.previous;
            }
            connection.previous = after;
            connection.next = after == null ? head : after.next;
            if (connection.next != null) {
                connection.next.previous = connection;
            }
            else {
                tail = connection;
            }
            if (after != null) {
                after.next = connection;
            }
            else {
                head = connection;
                changed.signal(); // an earlier deadline than the watchdog sleeps towards
            }
            connection.queued = true;
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public boolean exit(WatchedConnection connection) {
        lock.lock();
        try {
            if (connection.queued) {
                unlink(connection);
            }
            boolean expired = connection.expired;
            connection.expired = false;
            return expired;
        }
        finally {
            lock.unlock();
        }
    }

    private void unlink(WatchedConnection connection) {
        if (connection.previous != null) {
            connection.previous.next = connection.next;
        }
        else {
            head = connection.next;
        }
        if (connection.next != null) {
            connection.next.previous = connection.previous;
        }
        else {
            tail = connection.previous;
        }
        connection.previous = null;
        connection.next = null;
        connection.queued = false;
    }

    private void watchLoop() {
        lock.lock();
        try {
            while (!closed) {
                WatchedConnection first = head;
                if (first == null) {
                    changed.await(1, TimeUnit.SECONDS);
                    continue;
                }
                long wait = first.queuedDeadline - System.nanoTime();
                if (wait > 0) {
                    changed.awaitNanos(wait);
                    continue;
                }
                unlink(first);
                first.expired = true;
                lock.unlock();
                try {
                    first.expire();
                }
                finally {
                    lock.lock();
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signal();
        }
        finally {
            lock.unlock();
        }
    }
}
