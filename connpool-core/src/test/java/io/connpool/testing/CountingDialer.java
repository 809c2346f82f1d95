package io.connpool.testing;

import io.connpool.Dialer;
import io.connpool.ServerAddress;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a dialer and records every dial attempt (its server, when it started, how many ran at once), so a
 * test can count connects the pool made even to a port that refuses them.
 */
public final class CountingDialer implements Dialer {

    /** One dial attempt. */
    public record Attempt(ServerAddress server, long startNanos, Thread thread) {
    }

    private final Dialer delegate;
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final Map<ServerAddress, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<ServerAddress, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();

    public CountingDialer(Dialer delegate) {
        this.delegate = delegate;
    }

    public static CountingDialer tcp() {
        return new CountingDialer(Dialer.tcp());
    }

    @Override
    public Socket dial(ServerAddress server, Duration timeout) throws IOException {
        attempts.add(new Attempt(server, System.nanoTime(), Thread.currentThread()));
        int now = inFlight.computeIfAbsent(server, s -> new AtomicInteger()).incrementAndGet();
        mostInFlight.computeIfAbsent(server, s -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            return delegate.dial(server, timeout);
        }
        finally {
            inFlight.get(server).decrementAndGet();
        }
    }

    /** Attempts to the server so far, in start order. */
    public List<Attempt> attempts(ServerAddress server) {
        return attempts.stream().filter(a -> a.server().equals(server)).sorted(
                (a, b) -> Long.compare(a.startNanos(), b.startNanos())).toList();
    }

    public int count(ServerAddress server) {
        return (int) attempts.stream().filter(a -> a.server().equals(server)).count();
    }

    /** Attempts made by the given thread, to any server. */
    public int countBy(Thread thread) {
        return (int) attempts.stream().filter(a -> a.thread() == thread).count();
    }

    /** The most dials to the server that were in progress at the same time. */
    public int mostConcurrent(ServerAddress server) {
        AtomicInteger most = mostInFlight.get(server);
        return most == null ? 0 : most.get();
    }

    @Override
    public String toString() {
        return "CountingDialer(" + delegate + ")";
    }
}
