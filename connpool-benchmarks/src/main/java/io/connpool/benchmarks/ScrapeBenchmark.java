package io.connpool.benchmarks;

import io.connpool.ConnPool;
import io.connpool.micrometer.ConnPoolMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * One Prometheus scrape ({@link PrometheusMeterRegistry#scrape()}, the text an actuator endpoint serves) of a
 * registry holding {@link ConnPoolMetrics} for one pool of 100 or 1,000 servers. A scrape should cost O(servers):
 * 1,000 servers at most 15x the cost of 100.
 *
 * <p>The servers are loopback ports nobody listens on, with {@code minIdlePerServer(0)}: nothing dials, so the pool
 * holds no sockets and every server is {@code UNKNOWN}. The scrape reads the same per-server status either way.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
@Threads(1)
public class ScrapeBenchmark {

    /** Ports from here up are never dialed (see the class comment). */
    static final int FIRST_PORT = 40_000;

    @Param({"100", "1000"})
    public int servers;

    private ConnPool pool;
    private PrometheusMeterRegistry registry;

    @Setup(Level.Trial)
    public void setUp() {
        String[] addresses = new String[servers];
        for (int i = 0; i < servers; i++) {
            addresses[i] = "127.0.0.1:" + (FIRST_PORT + i);
        }
        pool = ConnPool.builder().name("scrape").servers(addresses).minIdlePerServer(0)
                .acquireTimeout(Duration.ofSeconds(5)).build();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ConnPoolMetrics(pool).bindTo(registry);
        String first = registry.scrape();
        int perServer = first.split("server=\"127.0.0.1:" + FIRST_PORT + "\"", -1).length - 1;
        if (perServer == 0) {
            throw new IllegalStateException("the scrape has no series for server 127.0.0.1:" + FIRST_PORT
                    + ": ConnPoolMetrics did not bind per-server meters");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long created = pool.stats().created();
        registry.close();
        pool.close();
        if (created != 0) {
            throw new IllegalStateException("the pool dialed " + created + " connections: the scrape was measured"
                    + " with dials going on");
        }
    }

    @Benchmark
    public String scrape() {
        return registry.scrape();
    }
}
