package io.connpool;

import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One server's state machine, and nothing else: {@code UNKNOWN → UP ⇄ DOWN → PROBATION → UP}, any state to
 * {@code REMOVED}. This is the one place that decides when a server goes down, how long it stays down, and
 * when it comes back. Each event returns the {@link Transition} it caused, or null; the pool applies the side
 * effects (log, listeners, turns, probe, waking waiters) in one place.
 *
 * <p>Rules, from DESIGN.md "Server states":
 * <ul>
 * <li>A server is blamed only for what it did: a dial that started before the server's last state change
 * (its {@link Snapshot#epoch()} moved on) neither marks it up nor down. The caller's own interrupt or deadline
 * never reaches here.</li>
 * <li>Down after failed dials: the backoff step is the number of failed dials plus the number of
 * ejections since the server last proved healthy, so a server that accepts and then resets everything
 * costs one probe per step, and each step is longer (until the backoff's cap).</li>
 * <li>Ejection: {@code ejectAfterFailures} consecutive I/O failures on its connections. Only a connection
 * that was borrowed and returned healthy resets the count of ejections.</li>
 * <li>A successful probe puts the server on {@code PROBATION}: one borrow at a time (the trial); a healthy
 * return makes it {@code UP}, a failure takes it straight back {@code DOWN}, one step longer.</li>
 * </ul>
 * Events are rare (a dial's end, a broken connection, a trial), so they take a lock; the hot path only
 * reads the volatile {@link #current()} snapshot.
 */
final class ServerHealth {

    /** A failure and when it happened: one value, so a status never shows an error with another's time. */
    record Failure(Throwable error, String description, long atMillis) {

        static Failure of(Throwable error, long atMillis) {
            return new Failure(error, PoolErrors.describe(error), atMillis);
        }
    }

    /**
     * The server's health at one instant, replaced whole by every event.
     *
     * @param epoch bumped by every change of state and by every new backoff step: a dial remembers it when
     *        it starts, and its result counts only if it has not moved
     * @param generation bumped each time the server goes down: connections opened before are never reused
     * @param dialFailures failed dials since it last proved healthy
     * @param ejections ejections since a borrowed connection last came back healthy
     * @param ioFailures consecutive connections broken by I/O errors while up
     * @param trialOut on probation: whether the one trial borrow is out
     */
    record Snapshot(ServerState state, int epoch, int generation, int dialFailures, int ejections, int ioFailures,
            Failure lastFailure, long retryAtNanos, long retryAtMillis, boolean trialOut) {

        /** Callers may borrow and dial: {@code UNKNOWN} never refuses a caller. */
        boolean admitsCallers() {
            return state == ServerState.UP || state == ServerState.UNKNOWN;
        }

        /** In the turns at all: up, unknown, or on probation (for its one trial borrow). */
        boolean takesBorrows() {
            return state != ServerState.DOWN && state != ServerState.REMOVED;
        }

        /** Whether a connection opened at {@code generation} may still be lent: not from before an outage. */
        boolean keeps(int generation) {
            return generation == this.generation && takesBorrows();
        }

        /** Why a connection this server no longer {@link #keeps} is closed. */
        ConnPoolListener.CloseReason outOfService() {
            return state == ServerState.REMOVED ? ConnPoolListener.CloseReason.SERVER_REMOVED
                    : ConnPoolListener.CloseReason.SERVER_DOWN;
        }

        /** Up (or not dialed yet) with nothing to forgive: a healthy return changes nothing. */
        boolean quiet() {
            return (state == ServerState.UP || state == ServerState.UNKNOWN) && ioFailures == 0 && ejections == 0;
        }

        /** A healthy return changes something only on probation or after failures: else the pool skips the call. */
        boolean wantsHealthyReturns() {
            return state == ServerState.PROBATION || ioFailures != 0 || ejections != 0;
        }

        /** The backoff step the next failure would take. */
        int step() {
            return dialFailures + ejections;
        }
    }

    /**
     * A change the pool must act on.
     *
     * @param cause the failure that caused it, null for a recovery or a removal
     * @param retryInNanos for a change to {@code DOWN}: when its probe is due; else -1
     * @param ejected whether I/O failures of its connections (not a dial) took it down
     */
    record Transition(Snapshot before, Snapshot after, Failure cause, long retryInNanos, boolean ejected) {

        ServerState from() {
            return before.state();
        }

        ServerState to() {
            return after.state();
        }
    }

    private final Backoff backoff;
    private final int ejectAfterFailures;
    private final Ticker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Snapshot snapshot = new Snapshot(ServerState.UNKNOWN, 0, 0, 0, 0, 0, null, 0, 0, false);
    /** The thread holding the trial borrow while one is out, else null: it cannot wait for its own trial. */
    private volatile Thread trialHolder;
    /** Guarded by {@link #lock}: the probe due at the current epoch, if any. */
    private PoolScheduler.Cancellable probe = PoolScheduler.NOT_SCHEDULED;

    ServerHealth(Backoff backoff, int ejectAfterFailures, Ticker ticker) {
        this.backoff = backoff;
        this.ejectAfterFailures = ejectAfterFailures;
        this.ticker = ticker;
    }

    Snapshot current() {
        return snapshot;
    }

    /** A dial that started at {@code epoch} connected. */
    Transition dialSucceeded(int epoch) {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.epoch != epoch) {
                return null; // started before the last change: says nothing about the server now
            }
            return switch (s.state) {
                case UNKNOWN -> move(s, new Snapshot(ServerState.UP, s.epoch + 1, s.generation, 0, 0, 0, null, 0, 0,
                        false), null, -1, false);
                // only the probe dials a down server
                case DOWN -> move(s, new Snapshot(ServerState.PROBATION, s.epoch + 1, s.generation, s.dialFailures,
                        s.ejections, 0, s.lastFailure, 0, 0, false), null, -1, false);
                case UP, PROBATION, REMOVED -> null;
            };
        }
        finally {
            lock.unlock();
        }
    }

    /** A dial that started at {@code epoch} failed, and not by the caller's own interrupt or deadline. */
    Transition dialFailed(int epoch, Throwable error) {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.epoch != epoch || s.state == ServerState.REMOVED) {
                return null;
            }
            return down(s, Failure.of(error, ticker.wallMillis()), s.dialFailures + 1, s.ejections, false);
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * A borrowed connection of {@code generation} broke with an I/O error. Enough in a row eject the server;
     * on probation one is enough.
     */
    Transition connectionFailed(int generation, Throwable error) {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.generation != generation || !s.takesBorrows()) {
                return null; // a connection from before the last outage: that outage counted it already
            }
            Failure failure = Failure.of(error, ticker.wallMillis());
            if (s.state == ServerState.PROBATION) {
                return down(s, failure, s.dialFailures, s.ejections + 1, true);
            }
            int failures = s.ioFailures + 1;
            if (ejectAfterFailures > 0 && failures >= ejectAfterFailures) {
                Failure ejection = new Failure(error, failures + " consecutive connections failed with I/O errors,"
                        + " the last: " + failure.description(), failure.atMillis());
                return down(s, ejection, s.dialFailures, s.ejections + 1, true);
            }
            snapshot = new Snapshot(s.state, s.epoch, s.generation, s.dialFailures, s.ejections, failures, failure,
                    0, 0, false);
            return null;
        }
        finally {
            lock.unlock();
        }
    }

    /** A borrowed connection of {@code generation} came back healthy: the only thing that forgives ejections. */
    Transition connectionHealthy(int generation) {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.generation != generation || !s.wantsHealthyReturns()) {
                return null;
            }
            if (s.state == ServerState.PROBATION) {
                return move(s, new Snapshot(ServerState.UP, s.epoch + 1, s.generation, 0, 0, 0, null, 0, 0, false),
                        null, -1, false);
            }
            if (s.takesBorrows()) {
                snapshot = new Snapshot(s.state, s.epoch, s.generation, s.dialFailures, 0, 0, s.lastFailure, 0, 0,
                        false);
            }
            return null;
        }
        finally {
            lock.unlock();
        }
    }

    /** On probation: takes the one trial borrow; false if it is out or the server is not on probation. */
    boolean tryStartTrial() {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.state != ServerState.PROBATION || s.trialOut) {
                return false;
            }
            snapshot = new Snapshot(s.state, s.epoch, s.generation, s.dialFailures, s.ejections, s.ioFailures,
                    s.lastFailure, 0, 0, true);
            trialHolder = Thread.currentThread();
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Whether the calling thread holds the trial: a caller that borrows a second connection while it holds the
     * first would otherwise wait for itself until its timeout. It is served as if the server were up: the rule
     * keeps many callers off a server that may still be broken, and this is one caller.
     */
    boolean trialHeldByCurrentThread() {
        return trialHolder == Thread.currentThread();
    }

    /** The trial borrow ended without a verdict (invalidated, never used): another caller may try. */
    void endTrial() {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.state == ServerState.PROBATION && s.trialOut) {
                snapshot = new Snapshot(s.state, s.epoch, s.generation, s.dialFailures, s.ejections, s.ioFailures,
                        s.lastFailure, 0, 0, false);
                trialHolder = null;
            }
        }
        finally {
            lock.unlock();
        }
    }

    /** Whether the probe scheduled at {@code epoch} should still dial: the server is down at that epoch. */
    boolean probeDue(int epoch) {
        Snapshot s = snapshot;
        return s.state == ServerState.DOWN && s.epoch == epoch;
    }

    /**
     * Remembers the probe scheduled for the current epoch, cancelling an older one. A probe that fires at a
     * stale epoch does nothing anyway ({@link #probeDue}); cancelling only frees the scheduler early.
     */
    void probeScheduled(int epoch, PoolScheduler.Cancellable scheduled) {
        lock.lock();
        try {
            if (snapshot.epoch != epoch || snapshot.state != ServerState.DOWN) {
                scheduled.cancel();
                return;
            }
            probe.cancel();
            probe = scheduled;
        }
        finally {
            lock.unlock();
        }
    }

    /** Removed from the pool, or the pool closed: final. */
    Transition remove() {
        lock.lock();
        try {
            Snapshot s = snapshot;
            if (s.state == ServerState.REMOVED) {
                return null;
            }
            probe.cancel();
            probe = PoolScheduler.NOT_SCHEDULED;
            return move(s, new Snapshot(ServerState.REMOVED, s.epoch + 1, s.generation + 1, s.dialFailures,
                    s.ejections, s.ioFailures, s.lastFailure, 0, 0, false), null, -1, false);
        }
        finally {
            lock.unlock();
        }
    }

    private Transition down(Snapshot s, Failure failure, int dialFailures, int ejections, boolean ejected) {
        int step = Math.max(1, dialFailures + ejections);
        long delay = Math.max(1, backoff.delay(step).toNanos());
        long now = ticker.nanoTime();
        // connections opened while it kept them are suspect from now on; a failed probe opened none
        int generation = s.state == ServerState.DOWN ? s.generation : s.generation + 1;
        Snapshot after = new Snapshot(ServerState.DOWN, s.epoch + 1, generation, dialFailures, ejections, 0, failure,
                now + delay, failure.atMillis() + delay / 1_000_000, false);
        return move(s, after, failure, delay, ejected);
    }

    private Transition move(Snapshot before, Snapshot after, Failure cause, long retryInNanos, boolean ejected) {
        snapshot = after;
        trialHolder = null;
        if (before.state == ServerState.DOWN) {
            probe.cancel();
            probe = PoolScheduler.NOT_SCHEDULED;
        }
        return new Transition(before, after, cause, retryInNanos, ejected);
    }

    /** The status users see; {@code active} and {@code idle} are counted by the caller. */
    ServerStatus status(ServerAddress address, String source, int active, int idle) {
        return status(address, source, active, idle, null);
    }

    /** The status, with why its source could not refresh it lately ({@code null}: it could). */
    ServerStatus status(ServerAddress address, String source, int active, int idle, String sourceError) {
        Snapshot s = snapshot;
        boolean backingOff = s.state == ServerState.DOWN || s.state == ServerState.PROBATION;
        Failure failure = s.lastFailure;
        return new ServerStatus(address, source, s.state, active, idle, backingOff ? s.step() : s.ioFailures,
                failure == null ? null : failure.description(),
                failure == null ? null : Instant.ofEpochMilli(failure.atMillis()),
                s.state == ServerState.DOWN ? Instant.ofEpochMilli(s.retryAtMillis) : null, sourceError);
    }
}
