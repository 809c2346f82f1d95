package io.connpool.benchmarks;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.ServerAddress;
import io.connpool.ServerSource;
import io.connpool.ServerStatus;
import io.connpool.benchmarks.pools.ConnpoolSocketPool;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A server-list change under traffic: a 1,000-server pool (one warm connection per server) serves 8 borrowing
 * threads while a ninth applies changes of 100 additions and 100 removals back to back, each one timed until it
 * is in effect (every added server holds a connection, no removed one is listed). {@code change=none} is the same
 * traffic with the ninth thread idle: the borrowers' latency and throughput there against {@code 100+100} is what
 * a change costs them. Sample-time mode: the scores are the time per borrow and per change (the idle thread's
 * score means nothing). 1,100 listeners live in this JVM, served by one selector thread.
 *
 * <p>The pool is fed by a {@link ServerSource}, as a discovery client or DNS would feed it: a change is the
 * whole new list, published in one call, which the pool applies as a diff in one step for the borrowers.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Group)
public class ServerListChangeBenchmark {

    static final int SERVERS = 1_000;
    static final int CHANGED = 100;

    @Param({"none", "100+100"})
    public String change;

    private EchoServers listeners;
    private ConnpoolSocketPool pool;
    /** In the pool now, oldest first: the next change removes from the front. */
    private final Deque<ServerAddress> in = new ArrayDeque<>();
    /** Not in the pool now: the next change adds from the front. */
    private final Deque<ServerAddress> out = new ArrayDeque<>();
    /** What the pool's source publishes through. */
    private volatile Consumer<List<ServerAddress>> publisher;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        listeners = EchoServers.start(SERVERS + CHANGED, false);
        for (int i = 0; i < SERVERS + CHANGED; i++) {
            ServerAddress address = new ServerAddress("127.0.0.1", listeners.address(i).getPort());
            if (i < SERVERS) {
                in.add(address);
            }
            else {
                out.add(address);
            }
        }
        List<ServerAddress> first = List.copyOf(in);
        ServerSource source = new ServerSource() {
            @Override
            public void start(Consumer<List<ServerAddress>> servers) {
                publisher = servers;
                servers.accept(first);
            }

            @Override
            public String name() {
                return "benchmark list";
            }
        };
        pool = new ConnpoolSocketPool(ConnPool.builder().name("bench").serverSource(source)
                .maxConnectionsPerServer(1).minIdlePerServer(1).acquireTimeout(Duration.ofSeconds(5)).build());
        pool.fill(SERVERS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        listeners.close();
    }

    @Benchmark
    @Group("traffic")
    @GroupThreads(8)
    public void borrow(Blackhole bh) throws Exception {
        PooledConnection connection = pool.acquire();
        bh.consume(connection.socket());
        connection.close();
    }

    @Benchmark
    @Group("traffic")
    @GroupThreads(1)
    public void change() {
        if ("none".equals(change)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // no change: stay out of the way
            return;
        }
        List<ServerAddress> removed = new ArrayList<>(CHANGED);
        List<ServerAddress> added = new ArrayList<>(CHANGED);
        for (int i = 0; i < CHANGED; i++) {
            removed.add(in.removeFirst());
            added.add(out.removeFirst());
        }
        List<ServerAddress> next = new ArrayList<>(in);
        next.addAll(added);
        publisher.accept(next); // the whole new list, as a discovery client publishes it
        awaitInEffect(added, removed);
        in.addAll(added);
        out.addAll(removed);
    }

    /** Waits until every added server holds a connection and no removed one is listed. */
    private void awaitInEffect(List<ServerAddress> added, List<ServerAddress> removed) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Set<ServerAddress> waitingFor = new HashSet<>(added);
        Set<ServerAddress> gone = new HashSet<>(removed);
        while (true) {
            boolean done = true;
            for (ServerStatus status : pool.pool().servers()) {
                if (gone.contains(status.address())
                        || (waitingFor.contains(status.address()) && status.idle() + status.active() == 0)) {
                    done = false;
                    break;
                }
            }
            if (done) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("a change of " + added.size() + " additions and " + removed.size()
                        + " removals was not in effect after 30 s: " + pool.pool().stats());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
