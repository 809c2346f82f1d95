package io.connpool.reliability;

import io.connpool.ConnPoolListener;
import io.connpool.ServerAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Records the pool's events with their time (System.nanoTime), per server. */
final class Events implements ConnPoolListener {

    record Event(long nanos, String kind, ServerAddress server, Object detail) {
    }

    final ConcurrentLinkedQueue<Event> all = new ConcurrentLinkedQueue<>();
    final Map<CloseReason, LongAdder> closes = new ConcurrentHashMap<>();
    final AtomicInteger dials = new AtomicInteger();

    @Override
    public void serverDown(ServerAddress server, Throwable cause, long retryInNanos) {
        all.add(new Event(System.nanoTime(), "down", server, cause));
    }

    @Override
    public void serverUp(ServerAddress server) {
        all.add(new Event(System.nanoTime(), "up", server, null));
    }

    @Override
    public void dialSucceeded(ServerAddress server, long elapsedNanos) {
        dials.incrementAndGet();
        all.add(new Event(System.nanoTime(), "dialOk", server, null));
    }

    @Override
    public void dialFailed(ServerAddress server, long elapsedNanos, Throwable error) {
        all.add(new Event(System.nanoTime(), "dialFailed", server, error));
    }

    @Override
    public void connectionClosed(ServerAddress server, CloseReason reason) {
        closes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    long closed(CloseReason reason) {
        LongAdder count = closes.get(reason);
        return count == null ? 0 : count.sum();
    }

    /** The first event of that kind for the server at or after {@code afterNanos}, or null. */
    Event first(String kind, ServerAddress server, long afterNanos) {
        for (Event event : all) {
            if (event.kind.equals(kind) && event.server.equals(server) && event.nanos - afterNanos >= 0) {
                return event;
            }
        }
        return null;
    }

    long countBetween(String kind, ServerAddress server, long fromNanos, long toNanos) {
        return all.stream().filter(e -> e.kind.equals(kind) && e.server.equals(server)
                && e.nanos - fromNanos >= 0 && toNanos - e.nanos >= 0).count();
    }

    long count(String kind, ServerAddress server) {
        return all.stream().filter(e -> e.kind.equals(kind) && e.server.equals(server)).count();
    }
}
