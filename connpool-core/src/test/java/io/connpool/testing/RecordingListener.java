package io.connpool.testing;

import io.connpool.ConnPoolListener;
import io.connpool.ServerAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Records every pool event with the time it happened, for assertions on what the pool did and when. */
public final class RecordingListener implements ConnPoolListener {

    /** The kinds of event, named after the listener methods. */
    public enum Type {
        DIAL_SUCCEEDED, DIAL_FAILED, SERVER_UP, SERVER_DOWN, ACQUIRED, RELEASED, ACQUIRE_TIMED_OUT, RATE_LIMITED,
        CONNECTION_CLOSED, SERVER_ADDED, SERVER_REMOVED, RETRIED
    }

    /**
     * One event. {@code detail} is the error (dial failed, server down), the {@link CloseReason}, or null;
     * {@code nanos} is the duration the event carries (elapsed, wait, usage, retry-in), 0 if none.
     */
    public record Event(Type type, long atNanos, ServerAddress server, Object detail, long nanos) {
    }

    private final Queue<Event> events = new ConcurrentLinkedQueue<>();

    private void add(Type type, ServerAddress server, Object detail, long nanos) {
        events.add(new Event(type, System.nanoTime(), server, detail, nanos));
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public List<Event> events(Type type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    public List<Event> events(Type type, ServerAddress server) {
        return events.stream().filter(e -> e.type() == type && server.equals(e.server())).toList();
    }

    public long count(Type type) {
        return events.stream().filter(e -> e.type() == type).count();
    }

    public long count(Type type, ServerAddress server) {
        return events.stream().filter(e -> e.type() == type && server.equals(e.server())).count();
    }

    /** The first event of that type for the server at or after {@code afterNanos} (System.nanoTime), or null. */
    public Event first(Type type, ServerAddress server, long afterNanos) {
        return events.stream().filter(e -> e.type() == type && server.equals(e.server())
                && e.atNanos() - afterNanos >= 0).findFirst().orElse(null);
    }

    /** Events of that type for the server between the two times (System.nanoTime), both included. */
    public long countBetween(Type type, ServerAddress server, long fromNanos, long toNanos) {
        return events.stream().filter(e -> e.type() == type && server.equals(e.server())
                && e.atNanos() - fromNanos >= 0 && toNanos - e.atNanos() >= 0).count();
    }

    /** Connections of any server closed by the pool for the given reason. */
    public long closed(CloseReason reason) {
        return events.stream().filter(e -> e.type() == Type.CONNECTION_CLOSED && e.detail() == reason).count();
    }

    /** Connections of the server closed by the pool for the given reason. */
    public long closed(ServerAddress server, CloseReason reason) {
        return events.stream().filter(e -> e.type() == Type.CONNECTION_CLOSED && server.equals(e.server())
                && e.detail() == reason).count();
    }

    public void clear() {
        events.clear();
    }

    @Override
    public void dialSucceeded(ServerAddress server, long elapsedNanos) {
        add(Type.DIAL_SUCCEEDED, server, null, elapsedNanos);
    }

    @Override
    public void dialFailed(ServerAddress server, long elapsedNanos, Throwable error) {
        add(Type.DIAL_FAILED, server, error, elapsedNanos);
    }

    @Override
    public void serverUp(ServerAddress server) {
        add(Type.SERVER_UP, server, null, 0);
    }

    @Override
    public void serverDown(ServerAddress server, Throwable cause, long retryInNanos) {
        add(Type.SERVER_DOWN, server, cause, retryInNanos);
    }

    @Override
    public void acquired(ServerAddress server, long waitNanos) {
        add(Type.ACQUIRED, server, null, waitNanos);
    }

    @Override
    public void released(ServerAddress server, long usageNanos) {
        add(Type.RELEASED, server, null, usageNanos);
    }

    @Override
    public void acquireTimedOut(long waitNanos) {
        add(Type.ACQUIRE_TIMED_OUT, null, null, waitNanos);
    }

    @Override
    public void rateLimited(ServerAddress server) {
        add(Type.RATE_LIMITED, server, null, 0);
    }

    @Override
    public void connectionClosed(ServerAddress server, CloseReason reason) {
        add(Type.CONNECTION_CLOSED, server, reason, 0);
    }

    @Override
    public void retried(ServerAddress server, Throwable failure) {
        add(Type.RETRIED, server, failure, 0);
    }

    @Override
    public void serverAdded(ServerAddress server) {
        add(Type.SERVER_ADDED, server, null, 0);
    }

    @Override
    public void serverRemoved(ServerAddress server) {
        add(Type.SERVER_REMOVED, server, null, 0);
    }
}
