package io.connpool;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans events out to the pool's listeners. The array is replaced on change, so firing is a plain loop
 * with no allocation and nothing to do when nobody listens. A listener that throws is logged, not
 * propagated: a metrics bug must not break the caller's request.
 */
final class ListenerChain implements ConnPoolListener {

    private static final Logger log = LoggerFactory.getLogger(ConnPool.class);
    private static final ConnPoolListener[] NONE = new ConnPoolListener[0];

    private final ReentrantLock changes = new ReentrantLock();
    private volatile ConnPoolListener[] listeners;

    ListenerChain(List<ConnPoolListener> initial) {
        this.listeners = initial.toArray(NONE);
    }

    /** Whether any listener is registered: without one, nothing needs the time of a return. */
    boolean any() {
        return listeners.length != 0;
    }

    void add(ConnPoolListener listener) {
        changes.lock();
        try {
            ConnPoolListener[] current = listeners;
            ConnPoolListener[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = listener;
            listeners = next;
        }
        finally {
            changes.unlock();
        }
    }

    void remove(ConnPoolListener listener) {
        changes.lock();
        try {
            listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(ConnPoolListener[]::new);
        }
        finally {
            changes.unlock();
        }
    }

    private static void failed(ConnPoolListener listener, RuntimeException ex) {
        log.warn("Listener {} threw; the event is dropped for it", listener, ex);
    }

    /** Fires a rare event; the lambda's allocation does not matter off the hot path. */
    private void each(java.util.function.Consumer<ConnPoolListener> event) {
        for (ConnPoolListener l : listeners) {
            try {
                event.accept(l);
            }
            catch (RuntimeException ex) {
                failed(l, ex);
            }
        }
    }

    @Override
    public void dialSucceeded(ServerAddress server, long elapsedNanos) {
        each(l -> l.dialSucceeded(server, elapsedNanos));
    }

    @Override
    public void dialFailed(ServerAddress server, long elapsedNanos, Throwable error) {
        each(l -> l.dialFailed(server, elapsedNanos, error));
    }

    @Override
    public void serverUp(ServerAddress server) {
        each(l -> l.serverUp(server));
    }

    @Override
    public void serverDown(ServerAddress server, Throwable cause, long retryInNanos) {
        each(l -> l.serverDown(server, cause, retryInNanos));
    }

    // acquired and released run on every borrow: plain loops, no capturing lambda.

    @Override
    public void acquired(ServerAddress server, long waitNanos) {
        for (ConnPoolListener l : listeners) {
            try {
                l.acquired(server, waitNanos);
            }
            catch (RuntimeException ex) {
                failed(l, ex);
            }
        }
    }

    @Override
    public void released(ServerAddress server, long usageNanos) {
        for (ConnPoolListener l : listeners) {
            try {
                l.released(server, usageNanos);
            }
            catch (RuntimeException ex) {
                failed(l, ex);
            }
        }
    }

    @Override
    public void acquireTimedOut(long waitNanos) {
        each(l -> l.acquireTimedOut(waitNanos));
    }

    @Override
    public void rateLimited(ServerAddress server) {
        each(l -> l.rateLimited(server));
    }

    @Override
    public void connectionClosed(ServerAddress server, CloseReason reason) {
        each(l -> l.connectionClosed(server, reason));
    }

    @Override
    public void retried(ServerAddress server, Throwable failure) {
        each(l -> l.retried(server, failure));
    }

    @Override
    public void serverAdded(ServerAddress server) {
        each(l -> l.serverAdded(server));
    }

    @Override
    public void serverRemoved(ServerAddress server) {
        each(l -> l.serverRemoved(server));
    }
}
