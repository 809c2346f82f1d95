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
 * <p>One waiter is {@link #designated} at a time: while it has not looked yet, {@link #wakeOne} wakes
 * nobody, so a burst of returns costs one unpark, not one each. A waiter that leaves (served, timed out,
 * interrupted) hands the wake-up on to the next one, so none is lost.
 *
 * <p>Barging alone lets the releasing thread take its own connection back, borrowing again before any
 * woken waiter has had a core. So a release that leaves its connection idle while callers wait
 * {@linkplain #giveWay gives way}: it wakes one more waiter and yields until somebody takes it (a
 * yielding virtual thread lets its carrier run another). A waiter that still loses race after race, once
 * it has waited {@link #STARVING_NANOS}, becomes the {@link #starving} one (one at a time, the first to get
 * there), and releases hand their connection straight to it, still borrowed, instead of putting it back
 * where a running thread would take it first. Parking uses {@link LockSupport}, never a monitor, so
 * virtual threads do not pin their carrier.
 */
final class WaitQueue {

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    /** Waiters in the queue; read on every release, so it must stay a single cheap volatile read. */
    private final AtomicInteger size = new AtomicInteger();
    /** The waiter woken that has not looked yet, or null. */
    private final AtomicReference<Waiter> designated = new AtomicReference<>();
    /** How long a waiter waits before releases hand it their connection directly. */
    static final long STARVING_NANOS = 1_000_000L;
    /** How long a releaser yields, at most, waiting for a caller to take its connection; see {@link #giveWay}. */
    static final long GIVE_WAY_NANOS = 1_000_000L;
    /**
     * How long the oldest waiter must have waited before a release gives way at all, and any waiter before
     * a release that gives way wakes it. Giving way to every waiter, however fresh, cost the 32-thread
     * cycle about a fifth of its throughput (an unpark and a context switch per release); giving way only
     * to these keeps the tail and costs the cycle nothing measurable (see docs/benchmarks.md).
     */
    static final long GIVE_WAY_WAKES_AFTER_NANOS = 200_000L;
    /** The most yields of one {@link #giveWay}, however slowly the clock moves (a test's clock may not). */
    static final int GIVE_WAY_YIELDS = 4096;
    /** Marks a waiter's hand-off slot once it has left: nothing can be handed to it any more. */
    private static final Object LEFT = new Object();
    /** The waiter releases hand their connection to, or null. */
    private final AtomicReference<Waiter> starving = new AtomicReference<>();
    /**
     * Tests only, null otherwise: runs in a waiter's thread after its last look, just before it parks, so a
     * test can land a release exactly there.
     */
    private final Runnable beforePark;
    private final Ticker ticker;

    WaitQueue(Ticker ticker, Runnable beforePark) {
        this.ticker = ticker;
        this.beforePark = beforePark;
    }

    int size() {
        return size.get();
    }

    /** Registers the calling thread. The caller must look at the pool once more before it parks. */
    Waiter enqueue(long nowNanos) {
        Waiter waiter = new Waiter(Thread.currentThread(), nowNanos);
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
        waiter.looks++; // only its own thread writes it
        waiter.woken = false;
        waiter.parked = true;
        if (designated.get() != waiter) {
            LockSupport.parkNanos(this, nanos);
        }
        waiter.parked = false;
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

    /**
     * Called by a release that has just made {@code entry} idle while callers wait (its borrow count now
     * {@code ended}, the clock {@code nowNanos}). If the oldest has waited {@link #GIVE_WAY_WAKES_AFTER_NANOS},
     * wakes one more parked waiter than {@link #wakeOne} did and yields the core until that waiter (else
     * the designated one) has looked or someone took the connection. Without this, the releasing thread,
     * borrowing again within its time slice, takes its own connection back ahead of every parked caller:
     * on an oversubscribed machine a woken waiter needs a core before it can look, and barging keeps one
     * from it for a whole slice. HikariCP's {@code ConcurrentBag.requite} yields the same way, without a
     * bound; ours ({@link #GIVE_WAY_NANOS}, and a count for a clock that does not move) is for a look that
     * takes long: a waiter that dials another server on its way, or a test hook that holds one.
     */
    void giveWay(PoolEntry entry, long ended, long nowNanos) {
        if (!entry.idleAt(ended)) {
            return; // taken already: the common case when a waiter was awake
        }
        Waiter oldest = queue.peek();
        if (oldest == null || nowNanos - oldest.sinceNanos < GIVE_WAY_WAKES_AFTER_NANOS) {
            return; // nobody has waited long: barging is fair enough, and cheaper than a context switch
        }
        Waiter woken = null;
        int looks = 0;
        Waiter designee = designated.get();
        for (Waiter waiter : queue) {
            if (nowNanos - waiter.sinceNanos < GIVE_WAY_WAKES_AFTER_NANOS) {
                break; // oldest first: the rest waited less still
            }
            if (waiter.parked && !waiter.woken && waiter != designee) {
                waiter.woken = true; // racy with another releaser: at worst both wake the same one
                looks = waiter.looks;
                woken = waiter;
                LockSupport.unpark(waiter.thread);
                break;
            }
        }
        if (woken == null) {
            if (designee == null) {
                return; // none is parked: each is about to look, and finds it
            }
            woken = designee; // woken by this release's wakeOne, or by an earlier one
            looks = designee.looks;
        }
        // until the waiter we woke has looked: it took this connection, another one, or none it could take
        for (int i = 0; i < GIVE_WAY_YIELDS && woken.looks == looks && entry.idleAt(ended)
                && ticker.nanoTime() - nowNanos < GIVE_WAY_NANOS; i++) {
            Thread.yield();
        }
    }

    /** Wakes every waiter: the pool changed for all of them (a server is back, the pool closed). */
    void wakeAll() {
        for (Waiter waiter : queue) {
            LockSupport.unpark(waiter.thread);
        }
    }

    /** The waiter has waited {@link #STARVING_NANOS}: it asks for hand-offs, unless another one already does. */
    void starve(Waiter waiter) {
        if (starving.get() == null) {
            starving.compareAndSet(null, waiter);
        }
    }

    /** Whether a waiter takes hand-offs: a release then calls {@link #handOff}. Read only while waiters wait. */
    boolean hasStarving() {
        return starving.get() != null;
    }

    /**
     * Gives a connection the releaser still holds (borrowed, not idle) to the starving waiter, and wakes it.
     * False if there is none or it has left: the releaser then puts the connection back itself.
     */
    boolean handOff(PoolEntry entry) {
        Waiter waiter = starving.get();
        if (waiter == null || !waiter.given.compareAndSet(null, entry)) {
            return false;
        }
        starving.compareAndSet(waiter, null); // served: the next one to wait long enough takes its place
        LockSupport.unpark(waiter.thread);
        return true;
    }

    /** A connection handed to the waiter, now its own; null if none came. */
    PoolEntry takeGiven(Waiter waiter) {
        Object given = waiter.given.get();
        return given instanceof PoolEntry entry && waiter.given.compareAndSet(entry, null) ? entry : null;
    }

    /**
     * Removes a waiter that stops waiting, and passes the wake-up on. Returns a connection handed to it too
     * late (it is the caller's to put back), or null.
     */
    PoolEntry leave(Waiter waiter) {
        waiter.waiting = false; // first: a waker that designates us from here on sees we are gone
        waiter.looks++; // its thread's, as in park: a release giving way to it stops waiting
        starving.compareAndSet(waiter, null);
        Object late = waiter.given.getAndSet(LEFT);
        if (queue.remove(waiter)) {
            size.decrementAndGet();
        }
        designated.compareAndSet(waiter, null);
        wakeOne();
        return late instanceof PoolEntry entry ? entry : null;
    }

    /** One parked caller. */
    static final class Waiter {

        final Thread thread;
        /** Set before its last look and left set while parked: a release may wake it. */
        volatile boolean waiting;
        /** In {@link #park}, or about to be: {@link #giveWay} may wake it. */
        volatile boolean parked;
        /** Unparked by {@link #giveWay} and not parked again since: a second wake-up would be wasted. */
        volatile boolean woken;
        /** Looks it has finished (it parked again or left): {@link #giveWay} waits for the next one. */
        volatile int looks;
        /** When it started waiting. */
        final long sinceNanos;
        /** A connection handed to it by a release, or {@link #LEFT}. */
        final AtomicReference<Object> given = new AtomicReference<>();

        Waiter(Thread thread, long sinceNanos) {
            this.thread = thread;
            this.sinceNanos = sinceNanos;
        }
    }
}
