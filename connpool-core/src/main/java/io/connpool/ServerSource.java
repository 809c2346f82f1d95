package io.connpool;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Where a pool's servers come from when they change at run time: a service registry, a file, anything that
 * knows the current list. Give it to {@link ConnPool.Builder#serverSource} instead of {@code servers(..)}
 * (static lists and DNS names given to {@code servers(..)} are sources of the pool's own).
 *
 * <p>The pool calls {@link #start} once, when it is built, and {@link #close()} once, when it is closed. The
 * source publishes the <em>full</em> list (not a change) now and each time it changes, from any thread. The pool
 * applies each list as one change that no borrow sees half applied: servers it did not have are added and
 * warmed up, servers no longer listed are drained as by {@link ConnPool#removeServer} (borrowed connections
 * finish their work, then close). Servers added with {@link ConnPool#addServer} stay; a server taken out with
 * {@link ConnPool#removeServer} comes back with the next list that names it.
 *
 * <p>An empty list makes every acquire fail at once with a {@link NoServerAvailableException} naming the
 * source: there is nothing to wait for. A source that cannot get its list (its registry is down) publishes
 * nothing, and the pool keeps the last list. If {@code start} throws, the pool keeps what the source published
 * before it threw (nothing, if it threw first), logs the error and names it in that exception. A list published
 * after the pool was closed is ignored, and so is a {@code null} list or one holding {@code null} (with a
 * warning). {@link #polling} makes a source from a lookup the pool repeats at an interval.
 */
public interface ServerSource extends AutoCloseable {

    /**
     * Starts publishing: the full list now (if the source has it) and again each time it changes.
     *
     * @param servers takes each full list; thread-safe, and cheap when the list did not change
     */
    void start(Consumer<List<ServerAddress>> servers);

    /**
     * Returns what the pool shows as the source of this source's servers ({@link ServerStatus#source()}, the
     * {@code source} tag of the metrics, health) and names in its errors: a service id, a file name.
     *
     * @return a short name; by default the class's simple name
     */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Stops publishing and releases what the source holds; the pool calls it once, from its own close. */
    @Override
    default void close() {
    }

    /**
     * Makes a source that calls {@code lookup} now (in {@link #start}, so a pool has its servers when built) and
     * then at every {@code interval}, and publishes what it returns when that changed. A lookup that throws keeps
     * the last list; it is tried again sooner, with backoff (capped at the interval), and its error shows in
     * {@link ServerStatus#sourceError()} until a lookup succeeds. Lookups never run in a caller's thread after
     * the first, nor two at once; {@link PollingServerSource#refresh()} asks for one at once (on a registry's
     * change event).
     *
     * @param name the source's {@link #name()}, for example a service id
     * @param interval how often to look up, positive
     * @param lookup returns the current servers; may block briefly (give it a timeout of its own)
     * @return the source, to be given to one pool (or started once by hand)
     * @throws IllegalArgumentException if the name is blank or the interval not positive
     */
    static PollingServerSource polling(String name, Duration interval,
            Callable<? extends Collection<ServerAddress>> lookup) {
        return new PollingServerSource(name, interval, lookup);
    }
}
