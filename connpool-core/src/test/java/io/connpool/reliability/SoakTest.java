package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.connpool.ConnPool;
import io.connpool.PoolStats;
import io.connpool.ServerState;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded soak: 16 callers for {@code connpool.soak.seconds} (15 in {@code ./mvnw verify}) while servers are
 * stopped and restarted, killed (every connection reset, connects refused), have their connections reset or
 * closed, are made silent or made to reset every request, at random. Afterwards every
 * server serves again, nothing was handed out twice or answered wrongly, the pool's counters balance, and
 * once the pool is closed the JVM's file descriptors and threads are back to where they started.
 */
class SoakTest {

    private static final int THREADS = 16;
    private static final Duration RETRY_MAX = Duration.ofSeconds(1);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(500);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    private final List<MockTcpServer> servers = new ArrayList<>();
    private ConnPool pool;
    private Traffic traffic;

    @Test
    void randomFaultsUnderSixteenCallersLeaveNoLeaks() throws Exception {
        long seconds = Long.getLong("connpool.soak.seconds", 15);
        long seed = Long.getLong("connpool.soak.seed", System.nanoTime());
        System.out.println("soak: " + seconds + " s, seed " + seed + " (-Dconnpool.soak.seed=" + seed + " replays the schedule)");
        Random random = new Random(seed);

        warmUp();
        int baselineFds = Resources.openFileDescriptors();
        int baselineThreads = Resources.liveThreads();
        assertThat(Resources.poolAndServerThreads()).as("left over by earlier tests").isEmpty();

        for (String name : List.of("s1", "s2", "s3")) {
            servers.add(fixture.server(name));
        }
        pool = fixture.pool(ConnPool.builder().name("soak")
                .servers(servers.stream().map(MockTcpServer::address).toArray(String[]::new))
                .maxConnectionsPerServer(4)
                .dialTimeout(Duration.ofMillis(500))
                .readTimeout(READ_TIMEOUT)
                .retryMin(Duration.ofMillis(100)).retryMax(RETRY_MAX)
                .ejectAfterFailures(3)
                .validationInterval(Duration.ofMillis(100)));
        traffic = fixture.register(new Traffic(pool, THREADS, Duration.ofSeconds(2), Traffic.LINE)).start();

        Map<String, Integer> faults = new TreeMap<>();
        long[] impairedUntil = new long[servers.size()];
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            for (int i = 0; i < servers.size(); i++) {
                if (impairedUntil[i] != 0 && now >= impairedUntil[i]) {
                    restore(servers.get(i));
                    impairedUntil[i] = 0;
                }
            }
            int index = random.nextInt(servers.size());
            MockTcpServer server = servers.get(index);
            long impaired = java.util.Arrays.stream(impairedUntil).filter(until -> until != 0).count();
            String fault = pick(random, impairedUntil[index] == 0 && impaired < 2);
            faults.merge(fault, 1, Integer::sum);
            switch (fault) {
                case "reset" -> server.resetConnections();
                case "close" -> server.closeConnections();
                case "stop" -> server.stop();
                case "kill" -> { // every connection reset, connects refused: a crashed process
                    server.resetConnections();
                    server.stop();
                }
                case "silent" -> server.fault(MockTcpServer.Fault.HANG);
                case "reset-requests" -> server.fault(MockTcpServer.Fault.RESET);
                default -> throw new IllegalStateException(fault);
            }
            if (fault.equals("stop") || fault.equals("kill") || fault.equals("silent") || fault.equals("reset-requests")) {
                impairedUntil[index] = now + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(1_500));
            }
            TimeUnit.MILLISECONDS.sleep(100 + random.nextInt(400)); // the pace of the fault schedule, not a wait for anything
        }
        long faultsEndedAt = System.nanoTime();
        servers.forEach(SoakTest::restore);
        traffic.mark();
        // A request sent to a silent server before its restore is never answered: its read times out up to one
        // readTimeout (and a sweep tick) after the faults end, and three of them eject the server again. Those
        // are the faults' last failures, not a lack of recovery: wait them out, and for every server to be UP
        // again, while traffic still runs (a server on probation needs a trial borrow to become UP).
        long staleRequestsGoneAt = faultsEndedAt + 2 * READ_TIMEOUT.toNanos();
        await().atMost(Duration.ofSeconds(20)).until(() -> servers.stream()
                .allMatch(s -> traffic.firstSuccessAfterMark(addressOf(s)) != 0)
                && System.nanoTime() - staleRequestsGoneAt > 0
                && pool.servers().stream().allMatch(status -> status.state() == ServerState.UP));
        long recoverMillis = TimeUnit.NANOSECONDS.toMillis(servers.stream()
                .mapToLong(s -> traffic.firstSuccessAfterMark(addressOf(s))).max().orElseThrow() - faultsEndedAt);
        traffic.stop();

        PoolStats stats = pool.stats();
        List<Traffic.Failure> failures = traffic.failures();
        Map<String, Long> byType = failures.stream().collect(Collectors.groupingBy(
                f -> (f.duringAcquire() ? "acquire:" : "io:") + f.error().getClass().getSimpleName(), TreeMap::new,
                Collectors.counting()));
        System.out.println("soak: " + traffic.requests() + " requests, " + traffic.totalSuccesses() + " served, faults "
                + faults + ", failures " + byType + ", " + stats);
        assertThat(traffic.unexpected).as("only IOExceptions reach callers").isEmpty();
        assertThat(traffic.wrongReplies.sum()).as("replies meant for another request").isZero();
        assertThat(traffic.handedOutTwice.sum()).as("connections handed to two callers at once").isZero();
        assertThat(traffic.totalSuccesses()).isGreaterThan(traffic.requests() / 2);
        assertThat(stats.active()).isZero();
        assertThat(stats.acquired()).as("acquired == released + active").isEqualTo(stats.released() + stats.active());
        assertThat(stats.total()).isLessThanOrEqualTo(stats.max());
        assertThat(pool.servers()).allSatisfy(status -> assertThat(status.state()).isEqualTo(ServerState.UP));
        assertThat(recoverMillis).as("every server serves again after the faults end")
                .isLessThan(RETRY_MAX.toMillis() + 3_000);

        pool.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().allMatch(s -> s.openConnections() == 0));
        servers.forEach(MockTcpServer::close);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(Resources.poolAndServerThreads()).as("pool and server threads").isEmpty();
            assertThat(Resources.openFileDescriptors()).as("open file descriptors (baseline %d)", baselineFds)
                    .isLessThanOrEqualTo(baselineFds + 3);
            assertThat(Resources.liveThreads()).as("live threads (baseline %d)", baselineThreads)
                    .isLessThanOrEqualTo(baselineThreads + 2);
        });
        int fds = Resources.openFileDescriptors();
        int threads = Resources.liveThreads();

        long ioFailures = failures.stream().filter(f -> !f.duringAcquire()).count();
        FaultMatrix.record("soak " + seconds + " s, 16 callers, " + faults.values().stream().mapToInt(i -> i).sum()
                        + " random faults " + faults,
                traffic.requests() + " requests, " + ioFailures + " IOExceptions on requests and "
                        + (failures.size() - ioFailures) + " on acquire " + byType + "; 0 wrong replies, 0 double"
                        + " hand-outs; fds " + baselineFds + "->" + fds + ", threads " + baselineThreads + "->" + threads,
                FaultMatrix.NOT_APPLICABLE, recoverMillis,
                "all servers serve < retryMax + 3000 ms after the last fault; fds <= baseline+3, threads <= baseline+2");
    }

    private static String pick(Random random, boolean mayImpair) {
        int roll = random.nextInt(mayImpair ? 6 : 2);
        return switch (roll) {
            case 0 -> "reset";
            case 1 -> "close";
            case 2 -> "stop";
            case 3 -> "kill";
            case 4 -> "silent";
            default -> "reset-requests";
        };
    }

    private static void restore(MockTcpServer server) {
        server.fault(MockTcpServer.Fault.NONE);
        if (!server.isRunning()) {
            server.restart(); // not a running one: its restart would close its connections, one fault more
        }
    }

    /** One short round first, so that class loading and JIT threads are in the baseline, not counted as leaks. */
    private static void warmUp() throws Exception {
        try (MockTcpServer server = NamedEcho.start("warm-up")) {
            ConnPool warm = ConnPool.builder().name("warm-up").servers(server.address()).build();
            try {
                Traffic round = new Traffic(warm, 4).start();
                await().atMost(Duration.ofSeconds(10)).until(() -> round.totalSuccesses() > 500);
                round.stop();
            }
            finally {
                warm.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Resources.poolAndServerThreads().isEmpty());
    }
}
