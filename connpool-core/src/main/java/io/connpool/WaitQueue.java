package io.connpool;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Callers parked in {@code acquire}, oldest first. A returned connection goes back to the idle set, where
 * any caller may take it (as in HikariCP's {@code ConcurrentBag}: a running thread is not made to park so
 * that a parked one can be woken, which would cost a context switch per borrow under load); the release
 * then wakes the oldest waiting caller to look again.
 *
 * <p>At most one waiter is on its way at a time ({@link #designated}): while it has not looked yet,
 * further releases wake nobody, so a burst of returns costs one unpark, not one each. A waiter that leaves
 * (served, timed out, interrupted) hands the wake-up on to the next one, so none is lost. Starvation is
 * bounded by the waiter's acquire timeout. Parking uses {@link LockSupport}, never a monitor, so virtual
 * threads do not pin their carrier.
 */
final class WaitQueue {

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    /** Waiters in the queue; read on every release, so it must stay a single cheap volatile read. */
    private final AtomicInteger size = new AtomicInteger();
    /** The waiter woken that has not looked yet, or null. */
    private final AtomicReference<Waiter> designated = new AtomicReference<>();
    /**
     * Tests only, null otherwise: runs in a waiter's thread after its last look, just before it parks, so a
     * test can land a release exactly there.
     */
    private final Runnable beforePark;

    WaitQueue(Runnable beforePark) {
        this.beforePark = beforePark;
    }

    int size() {
        return size.get();
    }

    /** Registers the calling thread. The caller must look at the pool once more before it parks. */
    Waiter enqueue() {
        Waiter waiter = new Waiter(Thread.currentThread());
        size.incrementAndGet();
        queue.add(waiter);
        return waiter;
    }

    /**
     * Announces that the waiter is about to look at the pool one last time and then park. It must come
     * before the look: a release makes its connection idle, then reads this flag; the waiter sets the flag,
     * then looks. Whatever the interleaving, the waiter sees the connection or the releaser sees the
     * waiter (flag set after the look would lose a release that lands in between, parking the waiter
     * until its timeout while a connection sits idle).
     */
    void aboutToLook(Waiter waiter) {
        waiter.waiting = true;
    }

    /**
     * Parks until woken or the time is up. Spurious returns are fine: the caller looks at the pool again
     * either way.
     */
    void park(Waiter waiter, long nanos) {
        if (beforePark != null) {
            beforePark.run();
        }
        if (designated.get() != waiter) {
            LockSupport.parkNanos(this, nanos);
        }
        designated.compareAndSet(waiter, null);
    }

    /** Wakes the oldest waiting waiter, unless one is already on its way; false if none waits. */
    boolean wakeOne() {
        if (size.get() == 0) {
            return false;
        }
        if (designated.get() != null) {
            return true;
        }
        for (Waiter waiter : queue) {
            if (!waiter.waiting || !designated.compareAndSet(null, waiter)) {
                if (designated.get() != null) {
                    return true; // another release designated someone meanwhile
                }
                continue;
            }
            // The queue's iterator may hand us a waiter that has just left. Designate first, then check it
            // is still waiting: a leaver clears 'waiting' before it clears its designation, so either we see
            // it gone, or it sees itself designated and clears it. A departed waiter left designated would
            // block every later wake-up.
            if (waiter.waiting) {
                LockSupport.unpark(waiter.thread);
                return true;
            }
            designated.compareAndSet(waiter, null);
        }
        return size.get() > 0;
    }

    /** Wakes every waiter: the pool changed for all of them (a server is back, the pool closed). */
    void wakeAll() {
        for (Waiter waiter : queue) {
            LockSupport.unpark(waiter.thread);
        }
    }

    /** Removes a waiter that stops waiting, and passes the wake-up on. */
    void leave(Waiter waiter) {
        waiter.waiting = false; // first: a waker that designates us from here on sees we are gone
        if (queue.remove(waiter)) {
            size.decrementAndGet();
        }
        designated.compareAndSet(waiter, null);
        wakeOne();
    }

    /** One parked caller. */
    static final class Waiter {

        final Thread thread;
        /** Set before its last look and left set while parked: a release may wake it. */
        volatile boolean waiting;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }
}
