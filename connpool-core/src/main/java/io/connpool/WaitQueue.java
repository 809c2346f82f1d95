package io.connpool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Callers parked in {@code acquire}, first come first served. A releaser hands its connection straight to
 * the oldest waiter, so a waiter is never overtaken by callers that arrive later; other events (room to
 * dial, a server back up, the pool closing) wake waiters to look again.
 *
 * <p>Parking uses {@link LockSupport}, never a monitor, so virtual threads do not pin their carrier.
 */
final class WaitQueue {

    /** Offered to a waiter that should scan the pool again. */
    static final Object RETRY = new Object();
    private static final Object CANCELLED = new Object();

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    /** Waiters in the queue; read on every release, so it must stay a single cheap volatile read. */
    private final AtomicInteger size = new AtomicInteger();

    int size() {
        return size.get();
    }

    /** Registers the calling thread. The caller must scan the pool once more before it parks. */
    Waiter enqueue() {
        Waiter waiter = new Waiter(Thread.currentThread());
        size.incrementAndGet();
        queue.add(waiter);
        return waiter;
    }

    /** Gives the entry to the oldest waiter; false if nobody took it. */
    boolean handOff(PoolEntry entry) {
        Waiter waiter;
        while ((waiter = poll()) != null) {
            if (waiter.offer(entry)) {
                return true;
            }
        }
        return false;
    }

    /** Wakes the oldest waiter to scan again; false if none waits. */
    boolean wakeOne() {
        Waiter waiter;
        while ((waiter = poll()) != null) {
            if (waiter.offer(RETRY)) {
                return true;
            }
        }
        return false;
    }

    void wakeAll() {
        Waiter waiter;
        while ((waiter = poll()) != null) {
            waiter.offer(RETRY);
        }
    }

    /**
     * Withdraws a waiter that gives up. Returns what was offered to it in the meantime ({@code null},
     * {@link #RETRY} or a {@link PoolEntry} it now owns).
     */
    Object cancel(Waiter waiter) {
        Object offered = waiter.cancel();
        if (queue.remove(waiter)) {
            size.decrementAndGet();
        }
        return offered;
    }

    private Waiter poll() {
        Waiter waiter = queue.poll();
        if (waiter != null) {
            size.decrementAndGet();
        }
        return waiter;
    }

    /** One parked caller. */
    static final class Waiter {

        private static final VarHandle SLOT;

        static {
            try {
                SLOT = MethodHandles.lookup().findVarHandle(Waiter.class, "slot", Object.class);
            }
            catch (ReflectiveOperationException ex) {
                throw new ExceptionInInitializerError(ex);
            }
        }

        private final Thread thread;
        @SuppressWarnings("unused") // accessed through SLOT
        private volatile Object slot;

        Waiter(Thread thread) {
            this.thread = thread;
        }

        boolean offer(Object value) {
            if (SLOT.compareAndSet(this, null, value)) {
                LockSupport.unpark(thread);
                return true;
            }
            return false;
        }

        /** Parks until offered something or the time is up; returns the offer or {@code null}. */
        Object await(long nanos) {
            long deadline = System.nanoTime() + nanos;
            Object value;
            while ((value = slot) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                LockSupport.parkNanos(this, left);
            }
            return value;
        }

        Object cancel() {
            if (SLOT.compareAndSet(this, null, CANCELLED)) {
                return null;
            }
            Object value = slot;
            return value == CANCELLED ? null : value;
        }
    }
}
