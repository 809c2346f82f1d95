package io.connpool;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connections of one server and its health. Slots are fixed at {@code maxConnectionsPerServer}; an
 * entry is put in a free slot after its dial and ownership of it moves by CAS on its state, so borrowing
 * takes no lock. Health changes (up, down, probe scheduling) are rare and take {@link #health}.
 */
final class ServerPool {

    final ServerAddress address;
    final AtomicReferenceArray<PoolEntry> slots;
    /** Entries in slots plus dials in progress; never above the slot count. */
    final AtomicInteger opened = new AtomicInteger();
    /** Dials in progress, by callers and the background. */
    final AtomicInteger dialing = new AtomicInteger();
    final AtomicBoolean refillPending = new AtomicBoolean();
    /** Null when {@code maxRps} is 0. */
    final RateLimiter rateLimiter;

    volatile ServerState state = ServerState.UNKNOWN;
    volatile boolean removed;
    /** Consecutive connections invalidated by I/O errors; reset by a clean return. */
    final AtomicInteger ioFailures = new AtomicInteger();
    volatile Throwable lastError;
    volatile long lastErrorAtMillis;
    volatile long nextRetryAtMillis;

    final ReentrantLock health = new ReentrantLock();
    /** Guarded by {@link #health}: consecutive failed dials, the backoff step. */
    int dialFailures;
    /** Written under {@link #health}: bumped on every state change, to spot dials started before it. */
    volatile int epoch;
    /** Guarded by {@link #health}. */
    ScheduledFuture<?> probe;

    ServerPool(ServerAddress address, int maxConnections, int maxRps, String poolName) {
        this.address = address;
        this.slots = new AtomicReferenceArray<>(maxConnections);
        this.rateLimiter = maxRps > 0 ? RateLimiter.of(poolName + "/" + address, RateLimiterConfig.custom()
                .limitForPeriod(maxRps)
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build(), Map.of("pool", poolName, "server", address.toString())) : null;
    }

    int epochSnapshot() {
        return epoch;
    }

    boolean isDown() {
        return state == ServerState.DOWN || removed;
    }

    boolean tryPermit() {
        return rateLimiter == null || rateLimiter.acquirePermission();
    }

    /** Nanoseconds until the rate limiter grants again; 0 if unlimited. */
    long nanosToPermit() {
        if (rateLimiter instanceof AtomicRateLimiter atomic) {
            return Math.max(0, atomic.getDetailedMetrics().getNanosToWait());
        }
        return rateLimiter == null ? 0 : 10_000_000L; // another implementation: look again soon
    }

    /**
     * Claims an idle entry: the one this thread returned last if it is idle (per-thread LIFO), else the
     * first idle one from this thread's home slot. Threads thus keep to their own connections, as with
     * HikariCP's thread-local lists but without a {@code ThreadLocal}: no cache line is written by every
     * borrow, and a connection's buffers stay with the core that used them.
     */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() is JDK 19+, this is a Java 17 library
    PoolEntry claimIdle() {
        int n = slots.length();
        long me = Thread.currentThread().getId();
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

    /**
     * Reserves room for one dial. An {@link ServerState#UNKNOWN} server gets one dial at a time, so a
     * server that turns out dead costs one timeout, not one per caller.
     */
    boolean reserveDial() {
        if (isDown() || (state == ServerState.UNKNOWN && dialing.get() > 0)) {
            return false;
        }
        return reserveBackgroundDial();
    }

    /** Background dials (probes, refill) may dial a down server. */
    boolean reserveBackgroundDial() {
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
        ServerState current = state;
        Throwable error = lastError;
        int failures;
        health.lock();
        try {
            failures = current == ServerState.DOWN ? dialFailures : ioFailures.get();
        }
        finally {
            health.unlock();
        }
        long errorAt = lastErrorAtMillis;
        long retryAt = nextRetryAtMillis;
        int[] counts = countActiveAndIdle();
        return new ServerStatus(address, address.toString(), current, counts[0], counts[1], failures,
                error == null ? null : describe(error),
                error == null ? null : Instant.ofEpochMilli(errorAt),
                current == ServerState.DOWN ? Instant.ofEpochMilli(retryAt) : null);
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        String type = error.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
