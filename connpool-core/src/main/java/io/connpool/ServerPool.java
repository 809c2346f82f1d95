package io.connpool;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The connections of one server, its {@link ServerHealth} and its rate limiter. Slots are fixed at
 * {@code maxConnectionsPerServer}; an entry is put in a free slot after its dial and ownership of it moves
 * by CAS on its state, so borrowing takes no lock.
 */
final class ServerPool {

    /** The rate limiter's period: {@code maxRps} permits per second. */
    static final long RATE_PERIOD_NANOS = 1_000_000_000L;

    final ServerAddress address;
    final String poolName;
    /** Where it came from: the configured entry, DNS name or service id. */
    final String source;
    /** How it is dialed: for an address a DNS name resolved to, that name and that address. */
    final ServerOrigin origin;
    /** What the least-loaded balancer counts; untouched by round-robin. */
    final Balancer.Load load = new Balancer.Load();
    final ServerHealth health;
    final AtomicReferenceArray<PoolEntry> slots;
    /**
     * By thread id (modulo its length, a power of two), the slot of the connection that thread returned
     * last: where its own connection most likely is. Plain ints, read and written racily: a lost or stale
     * hint only costs a scan, and a volatile write would cost more than the scan it saves.
     */
    private final int[] lastSlots;
    /** Entries in slots plus dials in progress; never above the slot count. */
    final AtomicInteger opened = new AtomicInteger();
    /** Dials in progress, by callers and the background. */
    final AtomicInteger dialing = new AtomicInteger();
    /** When the latest dial started, for errors that say how long a dial has been in progress. */
    volatile long lastDialStartNanos;
    final AtomicBoolean refillPending = new AtomicBoolean();
    /** Null when {@code maxRps} is 0. */
    final RateLimiter rateLimiter;
    private final PermitCache permits;
    /** Resilience4j's limiter counts its periods from its creation, which is about now. */
    private final long rateLimiterStartNanos;

    ServerPool(ServerOrigin origin, ServerHealth health, int maxConnections, int maxRps, String poolName,
            Ticker ticker) {
        this.origin = origin;
        this.address = origin.address();
        this.poolName = poolName;
        this.source = origin.source();
        this.health = health;
        this.slots = new AtomicReferenceArray<>(maxConnections);
        this.lastSlots = new int[hintCount(maxConnections)];
        this.rateLimiterStartNanos = ticker.nanoTime();
        this.rateLimiter = maxRps > 0 ? RateLimiter.of(poolName + "/" + address, RateLimiterConfig.custom()
                .limitForPeriod(maxRps)
                .limitRefreshPeriod(Duration.ofNanos(RATE_PERIOD_NANOS))
                .timeoutDuration(Duration.ZERO)
                .build(), Map.of("pool", poolName, "server", address.toString(), "source", source)) : null;
        this.permits = rateLimiter == null ? null : new PermitCache(rateLimiter, rateLimiterStartNanos, maxConnections);
    }

    /** A permit for a borrow of {@code entry}, which the caller owns. */
    boolean tryPermit(PoolEntry entry, long nowNanos) {
        return permits == null || permits.tryPermit(entry, nowNanos);
    }

    /** A permit for a dial. */
    boolean tryPermit() {
        return permits == null || permits.tryPermit();
    }

    /**
     * Nanoseconds until the rate limiter's next period, when it grants again; 0 if unlimited. Estimated from
     * when the limiter was made (its public API does not say), so a waiter may wake a little early and look
     * again, never late by more than the estimate's error.
     */
    long nanosToPermit(long nowNanos) {
        if (rateLimiter == null) {
            return 0;
        }
        long intoPeriod = Math.floorMod(nowNanos - rateLimiterStartNanos, RATE_PERIOD_NANOS);
        return RATE_PERIOD_NANOS - intoPeriod;
    }

    /**
     * Claims an idle entry: the one this thread returned last if it is idle (per-thread LIFO), else the
     * first idle one from this thread's home slot. Threads thus keep to their own connections, as with
     * HikariCP's thread-local lists but without a {@code ThreadLocal}: no cache line is written by every
     * borrow, and a connection's buffers stay with the core that used them.
     *
     * <p>The slot of the connection a thread returned last is remembered in {@link #lastSlots} (see
     * {@link #returnedByCurrentThread}), so that the thread finds it at the first read. Scanning for it
     * from the home slot instead read the state of connections other threads held, lines the other core
     * was writing: with 32 threads over 8 connections a borrow read 1.15 foreign slots on average, and the
     * cycle cost a third more CPU than with 8 threads. A hint is only that: a stale one (another thread with the same
     * hint index, or the connection went to someone else) costs one read before the scan.
     */
    PoolEntry claimIdle() {
        long me = currentThreadId();
        PoolEntry own = slots.get(lastSlots[hintIndex(me)]);
        if (own != null && own.lastOwner == me && own.claimIdle()) {
            return own; // the common case: no write but the claim's own CAS
        }
        return scanIdle(slots.length(), me);
    }

    /** The entry goes back idle from the calling thread, which will look for it first next time. */
    void returnedByCurrentThread(PoolEntry entry) {
        long me = currentThreadId();
        entry.lastOwner = me;
        int hint = hintIndex(me);
        if (lastSlots[hint] != entry.slot) {
            lastSlots[hint] = entry.slot; // only when the thread moves to another connection
        }
    }

    private int hintIndex(long threadId) {
        return (int) threadId & (lastSlots.length - 1);
    }

    @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+, this is a Java 17 library
    private static long currentThreadId() {
        return Thread.currentThread().getId();
    }

    private PoolEntry scanIdle(int n, long me) {
        int home = (int) (me % n);
        PoolEntry firstIdle = null;
        for (int i = 0; i < n; i++) {
            int index = home + i < n ? home + i : home + i - n;
            PoolEntry entry = slots.get(index);
            if (entry == null || entry.state() != PoolEntry.IDLE) {
                continue;
            }
            if (entry.lastOwner == me) {
                if (entry.claimIdle()) {
                    return entry;
                }
            }
            else if (firstIdle == null) {
                firstIdle = entry;
            }
        }
        if (firstIdle != null && firstIdle.claimIdle()) {
            return firstIdle;
        }
        for (int i = 0; i < n; i++) { // lost a race for it: take any
            PoolEntry entry = slots.get(i);
            if (entry != null && entry.state() == PoolEntry.IDLE && entry.claimIdle()) {
                return entry;
            }
        }
        return null;
    }

    /** Four hints per connection (up to 4 threads per connection find theirs at once), 1,024 at most. */
    static int hintCount(int maxConnections) {
        int wanted = Math.min(1024, Math.max(16, 4 * maxConnections));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** Reserves room for one dial; false if the server's connections and dials are at the limit. */
    boolean reserveDial() {
        int max = slots.length();
        while (true) {
            int current = opened.get();
            if (current >= max) {
                return false;
            }
            if (opened.compareAndSet(current, current + 1)) {
                dialing.incrementAndGet();
                return true;
            }
        }
    }

    void cancelDial() {
        dialing.decrementAndGet();
        opened.decrementAndGet();
    }

    /**
     * Puts a freshly dialed entry (owned by the caller) into a free slot. The dial reserved room, and a
     * retiring entry clears its slot before it gives its reservation back, so a free slot exists.
     */
    void install(PoolEntry entry) {
        int n = slots.length();
        while (true) {
            for (int i = 0; i < n; i++) {
                if (slots.get(i) == null) {
                    entry.slot = i;
                    if (slots.compareAndSet(i, null, entry)) {
                        dialing.decrementAndGet();
                        return;
                    }
                }
            }
            Thread.onSpinWait(); // only while another dialer takes the same free slot
        }
    }

    void uninstall(PoolEntry entry) {
        if (slots.compareAndSet(entry.slot, entry, null)) {
            opened.decrementAndGet();
        }
    }

    /**
     * Counts borrowed and idle entries in one pass: counted separately, an entry returned between the two
     * counts would be counted in both, and active + idle could exceed the slots.
     */
    int[] countActiveAndIdle() {
        int active = 0;
        int idle = 0;
        for (int i = 0; i < slots.length(); i++) {
            PoolEntry entry = slots.get(i);
            if (entry != null) {
                int state = entry.state();
                if (state == PoolEntry.IN_USE) {
                    active++;
                }
                else if (state == PoolEntry.IDLE) {
                    idle++;
                }
            }
        }
        return new int[] {active, idle};
    }

    int countIn(int state) {
        int count = 0;
        for (int i = 0; i < slots.length(); i++) {
            PoolEntry entry = slots.get(i);
            if (entry != null && entry.state() == state) {
                count++;
            }
        }
        return count;
    }

    ServerStatus status() {
        int[] counts = countActiveAndIdle();
        return health.status(address, source, counts[0], counts[1], origin.problem().text());
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
