package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition of a server's state machine, as a table: from a state (reached by the events in
 * {@code given}), one event, and the state, backoff step and probe delay it must lead to. On a fake clock
 * with a backoff without jitter (100 ms doubling to 800 ms) and {@code ejectAfterFailures = 3}, so every
 * delay is exact and the whole table runs in milliseconds.
 */
class ServerHealthTest {

    private static final int EJECT_AFTER = 3;
    private static final Backoff DOUBLING = failures -> Duration.ofMillis(Math.min(800, 100L << (failures - 1)));
    private static final long NO_PROBE = -1;

    /** A server's health and the epochs a test remembers to replay stale results. */
    private static final class Subject {

        final FakeClock clock = new FakeClock();
        final ServerHealth health = new ServerHealth(DOUBLING, EJECT_AFTER, clock);
        /** The epoch and generation before the last event: what a dial or borrow from then carries. */
        int oldEpoch;
        int oldGeneration;
        ServerHealth.Transition last;

        void apply(Event event) {
            ServerHealth.Snapshot before = health.current();
            last = event.action.apply(this);
            oldEpoch = before.epoch();
            oldGeneration = before.generation();
        }
    }

    private interface Action {
        ServerHealth.Transition apply(Subject subject);
    }

    private record Event(String name, Action action) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Event DIAL_OK = new Event("dial ok", s -> s.health.dialSucceeded(s.health.current().epoch()));
    private static final Event DIAL_FAILS = new Event("dial fails",
            s -> s.health.dialFailed(s.health.current().epoch(), new ConnectException("refused")));
    private static final Event STALE_DIAL_OK = new Event("dial started before the last change connects",
            s -> s.health.dialSucceeded(s.oldEpoch));
    private static final Event STALE_DIAL_FAILS = new Event("dial started before the last change fails",
            s -> s.health.dialFailed(s.oldEpoch, new ConnectException("late")));
    private static final Event IO_FAILS = new Event("borrowed connection breaks",
            s -> s.health.connectionFailed(s.health.current().generation(), new IOException("reset")));
    private static final Event OLD_IO_FAILS = new Event("connection from before the outage breaks",
            s -> s.health.connectionFailed(s.oldGeneration, new IOException("old reset")));
    private static final Event HEALTHY = new Event("borrowed connection comes back healthy",
            s -> s.health.connectionHealthy(s.health.current().generation()));
    private static final Event OLD_HEALTHY = new Event("connection from before the outage comes back healthy",
            s -> s.health.connectionHealthy(s.oldGeneration));
    private static final Event TRIAL = new Event("trial borrow starts", s -> {
        assertThat(s.health.tryStartTrial()).as("trial granted").isTrue();
        return null;
    });
    private static final Event SECOND_TRIAL = new Event("second trial borrow while one is out", s -> {
        assertThat(s.health.tryStartTrial()).as("second trial refused").isFalse();
        return null;
    });
    private static final Event TRIAL_ENDS = new Event("trial ends without a verdict", s -> {
        s.health.endTrial();
        return null;
    });
    private static final Event REMOVE = new Event("removed", s -> s.health.remove());

    private record Row(String from, List<Event> given, Event when, ServerState to, int step, long probeInMillis) {

        @Override
        public String toString() {
            return from + " --" + when + "--> " + to + (probeInMillis == NO_PROBE ? "" : " (probe in " + probeInMillis
                    + " ms)");
        }
    }

    private static Row row(String from, List<Event> given, Event when, ServerState to, int step, long probeIn) {
        return new Row(from, given, when, to, step, probeIn);
    }

    private static List<Event> of(Event... events) {
        return Arrays.asList(events);
    }

    private static List<Event> times(int n, Event event, Event... then) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event);
        }
        events.addAll(Arrays.asList(then));
        return events;
    }

    private static List<Event> concat(List<Event> first, Event... then) {
        List<Event> events = new ArrayList<>(first);
        events.addAll(Arrays.asList(then));
        return events;
    }

    static Stream<Row> transitions() {
        List<Event> up = of(DIAL_OK);
        List<Event> down = of(DIAL_FAILS);
        List<Event> onTrial = of(DIAL_FAILS, DIAL_OK, TRIAL);
        List<Event> ejectedOnTrial = concat(times(EJECT_AFTER, IO_FAILS), DIAL_OK, TRIAL);
        ejectedOnTrial.add(0, DIAL_OK);
        return Stream.of(
                row("UNKNOWN", of(), DIAL_OK, ServerState.UP, 0, NO_PROBE),
                row("UNKNOWN", of(), DIAL_FAILS, ServerState.DOWN, 1, 100),
                row("UNKNOWN", of(), REMOVE, ServerState.REMOVED, 0, NO_PROBE),

                row("UP", up, IO_FAILS, ServerState.UP, 1, NO_PROBE),
                row("UP, 2 broken", concat(up, IO_FAILS, IO_FAILS), IO_FAILS, ServerState.DOWN, 1, 100),
                row("UP, 2 broken", concat(up, IO_FAILS, IO_FAILS), HEALTHY, ServerState.UP, 0, NO_PROBE),
                row("UP", up, DIAL_FAILS, ServerState.DOWN, 1, 100),
                row("UP", up, STALE_DIAL_FAILS, ServerState.UP, 0, NO_PROBE),
                row("UP", up, REMOVE, ServerState.REMOVED, 0, NO_PROBE),

                row("DOWN", down, DIAL_FAILS, ServerState.DOWN, 2, 200),
                row("DOWN, 4 failed", times(4, DIAL_FAILS), DIAL_FAILS, ServerState.DOWN, 5, 800),
                row("DOWN, 5 failed", times(5, DIAL_FAILS), DIAL_FAILS, ServerState.DOWN, 6, 800),
                row("DOWN", down, DIAL_OK, ServerState.PROBATION, 1, NO_PROBE),
                row("DOWN", down, STALE_DIAL_OK, ServerState.DOWN, 1, NO_PROBE),
                row("DOWN after ejection", concat(up, IO_FAILS, IO_FAILS, IO_FAILS), OLD_IO_FAILS, ServerState.DOWN, 1,
                        NO_PROBE),
                row("DOWN after ejection", concat(up, IO_FAILS, IO_FAILS, IO_FAILS), OLD_HEALTHY, ServerState.DOWN, 1,
                        NO_PROBE),
                row("DOWN", down, REMOVE, ServerState.REMOVED, 1, NO_PROBE),

                row("PROBATION", onTrial, HEALTHY, ServerState.UP, 0, NO_PROBE),
                row("PROBATION", onTrial, IO_FAILS, ServerState.DOWN, 2, 200),
                row("PROBATION after an ejection", ejectedOnTrial, IO_FAILS, ServerState.DOWN, 2, 200),
                row("PROBATION", onTrial, SECOND_TRIAL, ServerState.PROBATION, 1, NO_PROBE),
                row("PROBATION", onTrial, TRIAL_ENDS, ServerState.PROBATION, 1, NO_PROBE),
                row("PROBATION", concat(onTrial, TRIAL_ENDS), TRIAL, ServerState.PROBATION, 1, NO_PROBE),
                row("PROBATION", onTrial, REMOVE, ServerState.REMOVED, 1, NO_PROBE),

                row("REMOVED", of(REMOVE), DIAL_OK, ServerState.REMOVED, 0, NO_PROBE),
                row("REMOVED", of(REMOVE), DIAL_FAILS, ServerState.REMOVED, 0, NO_PROBE),
                row("REMOVED", of(DIAL_OK, REMOVE), IO_FAILS, ServerState.REMOVED, 0, NO_PROBE),
                row("REMOVED", of(REMOVE), REMOVE, ServerState.REMOVED, 0, NO_PROBE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void transition(Row row) {
        Subject subject = new Subject();
        row.given.forEach(subject::apply);
        ServerHealth.Snapshot before = subject.health.current();

        subject.apply(row.when);

        ServerHealth.Snapshot after = subject.health.current();
        assertThat(after.state()).isEqualTo(row.to);
        assertThat(row.to == ServerState.UP || row.to == ServerState.UNKNOWN ? after.ioFailures() : after.step())
                .as("backoff step (I/O failures while up)").isEqualTo(row.step);
        if (row.probeInMillis == NO_PROBE) {
            assertThat(subject.last == null || subject.last.retryInNanos() < 0).as("no new probe").isTrue();
        }
        else {
            assertThat(subject.last).as("a transition to act on").isNotNull();
            assertThat(subject.last.retryInNanos()).isEqualTo(Duration.ofMillis(row.probeInMillis).toNanos());
            assertThat(after.retryAtNanos()).isEqualTo(subject.clock.nanoTime() + subject.last.retryInNanos());
        }
        if (before.state() != after.state()) {
            assertThat(after.epoch()).as("every change of state moves the epoch").isGreaterThan(before.epoch());
        }
        else if (subject.last == null) {
            assertThat(after.epoch()).as("nothing happened: same epoch").isEqualTo(before.epoch());
        }
    }

    @Test
    void ejectionsLengthenTheBackoffUntilABorrowedConnectionComesBackHealthy() {
        Subject s = new Subject();
        List<Long> probes = new ArrayList<>();
        s.apply(DIAL_OK);
        for (int outage = 0; outage < 4; outage++) {
            // a server that accepts and then resets: the trial breaks each time
            for (Event event : outage == 0 ? times(EJECT_AFTER, IO_FAILS) : of(DIAL_OK, TRIAL, IO_FAILS)) {
                s.apply(event);
            }
            probes.add(Duration.ofNanos(s.last.retryInNanos()).toMillis());
            assertThat(s.last.ejected()).isTrue();
        }
        assertThat(probes).containsExactly(100L, 200L, 400L, 800L);

        s.apply(DIAL_OK);
        s.apply(TRIAL);
        s.apply(HEALTHY);
        assertThat(s.health.current().state()).isEqualTo(ServerState.UP);
        for (Event event : times(EJECT_AFTER, IO_FAILS)) {
            s.apply(event);
        }
        assertThat(Duration.ofNanos(s.last.retryInNanos()).toMillis()).as("forgiven: back to the first step")
                .isEqualTo(100);
    }

    @Test
    void theProbeIsDueOnlyAtTheEpochItWasScheduledFor() {
        Subject s = new Subject();
        s.apply(DIAL_FAILS);
        int firstDown = s.health.current().epoch();
        assertThat(s.health.probeDue(firstDown)).isTrue();
        s.apply(DIAL_FAILS); // the probe failed: a new step, a new probe
        assertThat(s.health.probeDue(firstDown)).isFalse();
        assertThat(s.health.probeDue(s.health.current().epoch())).isTrue();
        s.apply(DIAL_OK);
        assertThat(s.health.probeDue(s.health.current().epoch())).as("not down any more").isFalse();
    }

    @Test
    void aStatusShowsAFailureWithItsOwnTimeAndTheRetryAfterIt() {
        Subject s = new Subject();
        s.apply(DIAL_FAILS);
        s.clock.advance(Duration.ofMillis(30));
        s.apply(DIAL_FAILS);
        ServerStatus status = s.health.status(new ServerAddress("h", 1), "h:1", 0, 0);
        assertThat(status.state()).isEqualTo(ServerState.DOWN);
        assertThat(status.consecutiveFailures()).isEqualTo(2);
        assertThat(status.lastError()).isEqualTo("ConnectException: refused");
        assertThat(status.lastErrorAt().toEpochMilli()).isEqualTo(s.clock.wallMillis());
        assertThat(status.nextRetry().toEpochMilli() - status.lastErrorAt().toEpochMilli()).isEqualTo(200);
    }

    /**
     * The error and its time are one value: a reader never pairs one failure's message with another's time
     * (the first wave wrote them as two fields, outside the lock). Each reporting thread's clock says its own
     * number, and its error says the same number.
     */
    @Test
    void concurrentFailuresNeverShowAnErrorWithAnotherErrorsTime() throws Exception {
        ThreadLocal<Long> now = ThreadLocal.withInitial(() -> 0L);
        Ticker perThread = new Ticker() {
            @Override
            long nanoTime() {
                return 0;
            }

            @Override
            long wallMillis() {
                return now.get();
            }
        };
        ServerHealth health = new ServerHealth(DOUBLING, 0, perThread);
        health.dialSucceeded(0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 1; t <= 4; t++) {
            long id = t * 1_000_000L;
            threads.add(new Thread(() -> {
                started.countDown();
                for (long i = 0; !stop.get(); i++) {
                    now.set(id + i);
                    health.connectionFailed(0, new IOException(Long.toString(id + i)));
                }
            }));
        }
        threads.forEach(Thread::start);
        started.await();
        for (int read = 0; read < 200_000 && torn.get() == null; read++) {
            ServerStatus status = health.status(new ServerAddress("h", 1), "h:1", 0, 0);
            if (status.lastError() != null
                    && !status.lastError().equals("IOException: " + status.lastErrorAt().toEpochMilli())) {
                torn.set(status.lastError() + " at " + status.lastErrorAt().toEpochMilli());
            }
        }
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(torn.get()).isNull();
    }
}
