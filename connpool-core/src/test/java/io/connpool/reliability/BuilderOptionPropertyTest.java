package io.connpool.reliability;

import static io.connpool.testing.PoolFixture.addressOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.Backoff;
import io.connpool.ConnPool;
import io.connpool.ConnPoolListener;
import io.connpool.ConnectionBudget;
import io.connpool.Dialer;
import io.connpool.ServerAddress;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.NamedEcho;
import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Positive;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every builder option: an invalid value is rejected with an IllegalArgumentException that names the option;
 * any combination of valid values builds a pool that works and closes.
 */
class BuilderOptionPropertyTest {

    private static MockTcpServer server;

    @BeforeContainer
    static void startServer() {
        server = NamedEcho.start("options");
    }

    @AfterContainer
    static void stopServer() {
        server.close();
    }

    private static ConnPool.Builder base() {
        return ConnPool.builder().name("options").servers(server.address()).minIdlePerServer(0);
    }

    private static void rejected(String option, Consumer<ConnPool.Builder> set) {
        assertThatThrownBy(() -> {
            ConnPool.Builder builder = base();
            set.accept(builder);
            builder.build().close();
        }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(option);
    }

    // ------------------------------------------------------------ durations

    @Property
    void positiveDurationsRejectZeroNegativeAndNull(@ForAll("notPositive") Duration bad) {
        rejected("dialTimeout", b -> b.dialTimeout(bad));
        rejected("retryMin", b -> b.retryMin(bad));
        rejected("retryMax", b -> b.retryMax(bad));
        rejected("acquireTimeout", b -> b.acquireTimeout(bad));
    }

    @Property
    void nonNegativeDurationsRejectNegativeAndNull(@ForAll("negative") Duration bad) {
        rejected("readTimeout", b -> b.readTimeout(bad));
        rejected("idleTimeout", b -> b.idleTimeout(bad));
        rejected("maxLifetime", b -> b.maxLifetime(bad));
        rejected("validationInterval", b -> b.validationInterval(bad));
        rejected("leakDetectionThreshold", b -> b.leakDetectionThreshold(bad));
    }

    @Property
    void durationsTooLongToCountInNanosecondsAreRejected(@ForAll("tooLong") Duration bad) {
        rejected("dialTimeout", b -> b.dialTimeout(bad));
        rejected("readTimeout", b -> b.readTimeout(bad));
        rejected("retryMax", b -> b.retryMax(bad));
        rejected("acquireTimeout", b -> b.acquireTimeout(bad));
        rejected("idleTimeout", b -> b.idleTimeout(bad));
        rejected("maxLifetime", b -> b.maxLifetime(bad));
        rejected("validationInterval", b -> b.validationInterval(bad));
        rejected("leakDetectionThreshold", b -> b.leakDetectionThreshold(bad));
    }

    @Property
    void retryMinAboveRetryMaxIsRejectedNamingBoth(@ForAll("positive") Duration a, @ForAll("positive") Duration b) {
        if (a.equals(b)) {
            return;
        }
        Duration min = a.compareTo(b) > 0 ? a : b;
        Duration max = a.compareTo(b) > 0 ? b : a;
        rejected("retryMin", x -> x.retryMin(min).retryMax(max));
        rejected("retryMax", x -> x.retryMin(min).retryMax(max));
    }

    // ------------------------------------------------------------ numbers

    @Property
    void negativeCountsAreRejected(@ForAll @IntRange(min = Integer.MIN_VALUE, max = -1) int bad) {
        rejected("maxRps", b -> b.maxRps(bad));
        rejected("maxConnectionsPerServer", b -> b.maxConnectionsPerServer(bad));
        rejected("minIdlePerServer", b -> b.minIdlePerServer(bad));
        rejected("ejectAfterFailures", b -> b.ejectAfterFailures(bad));
    }

    @Example
    void zeroConnectionsPerServerIsRejected() {
        rejected("maxConnectionsPerServer", b -> b.maxConnectionsPerServer(0));
    }

    @Property
    void minIdleAboveMaxConnectionsIsRejected(@ForAll @IntRange(min = 1, max = 1_000) int max,
            @ForAll @IntRange(min = 1, max = 1_000) int above) {
        rejected("minIdlePerServer", b -> b.maxConnectionsPerServer(max).minIdlePerServer(max + above));
    }

    // ------------------------------------------------------------ names, servers, collaborators

    @Property
    void blankNamesAreRejected(@ForAll("blank") String bad) {
        rejected("name", b -> b.name(bad));
    }

    @Example
    void nullNameIsRejected() {
        rejected("name", b -> b.name(null));
    }

    @Property
    void unparsableServersAreRejectedNamingTheValue(@ForAll("badAddresses") String bad) {
        rejected("'" + bad + "'", b -> b.servers(server.address(), bad));
    }

    @Example
    void missingDuplicateAndNullServersAreRejected() {
        rejected("servers", b -> b.servers(new String[0]));
        rejected("servers", b -> b.servers(List.of()));
        rejected("servers", b -> b.servers(server.address(), server.address()));
        rejected("servers", b -> b.servers(Arrays.asList(addressOf(server), null)));
        rejected("servers", b -> b.servers((String[]) null));
        rejected("servers", b -> b.servers((List<ServerAddress>) null));
        rejected("servers", b -> b.servers((ServerAddress[]) null));
    }

    @Example
    void nullCollaboratorsThatAreRequiredAreRejected() {
        rejected("dialer", b -> b.dialer(null));
        rejected("listener", b -> b.listener(null));
    }

    // ------------------------------------------------------------ valid values

    @Property(tries = 60)
    void anyValidCombinationBuildsAWorkingPoolThatCloses(
            @ForAll("positive") Duration dialTimeout,
            @ForAll("notNegative") Duration readTimeout,
            @ForAll("positive") Duration retryA,
            @ForAll("positive") Duration retryB,
            @ForAll @IntRange(min = 0, max = 100_000) int maxRps,
            @ForAll @IntRange(min = 1, max = 64) int maxConnections,
            @ForAll @IntRange(min = 0, max = 64) int minIdleWish,
            @ForAll("positive") Duration acquireTimeout,
            @ForAll("notNegative") Duration idleTimeout,
            @ForAll("notNegative") Duration maxLifetime,
            @ForAll("notNegative") Duration validationInterval,
            @ForAll("notNegative") Duration leakDetectionThreshold,
            @ForAll @IntRange(min = 0, max = 1_000) int ejectAfterFailures,
            @ForAll boolean withBackoff,
            @ForAll boolean withBudget,
            @ForAll @Positive int budgetSize) throws Exception {
        Duration retryMin = retryA.compareTo(retryB) <= 0 ? retryA : retryB;
        Duration retryMax = retryA.compareTo(retryB) <= 0 ? retryB : retryA;
        List<String> events = new ArrayList<>();
        ConnPool pool = ConnPool.builder()
                .name("valid")
                .servers(server.address())
                .dialTimeout(dialTimeout)
                .readTimeout(readTimeout)
                .retryMin(retryMin).retryMax(retryMax)
                .maxRps(maxRps)
                .maxConnectionsPerServer(maxConnections)
                .minIdlePerServer(Math.min(minIdleWish, maxConnections))
                .acquireTimeout(acquireTimeout)
                .idleTimeout(idleTimeout)
                .maxLifetime(maxLifetime)
                .validationInterval(validationInterval)
                .leakDetectionThreshold(leakDetectionThreshold)
                .ejectAfterFailures(ejectAfterFailures)
                .dialer(Dialer.tcp())
                .backoff(withBackoff ? Backoff.exponential(retryMin, retryMax) : null)
                .validator(null)
                .budget(withBudget ? ConnectionBudget.of(budgetSize) : null)
                .listener(new ConnPoolListener() {
                    @Override
                    public void connectionClosed(ServerAddress s, CloseReason reason) {
                        synchronized (events) {
                            events.add(reason.name());
                        }
                    }
                })
                .build();
        try {
            assertThat(pool.name()).isEqualTo("valid");
            assertThat(pool.stats().max()).isEqualTo(maxConnections);
            assertThat(pool.servers()).hasSize(1);
        }
        finally {
            pool.close();
        }
        assertThat(pool.isClosed()).isTrue();
    }

    // ------------------------------------------------------------ generators

    @Provide
    Arbitrary<Duration> positive() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1, 10_000_000_000L).map(Duration::ofNanos),
                Arbitraries.longs().between(1, 1_000_000_000L).map(Duration::ofSeconds),
                Arbitraries.of(Duration.ofNanos(1), Duration.ofMillis(1), Duration.ofDays(365 * 100),
                        Duration.ofNanos(Long.MAX_VALUE)));
    }

    /** Longer than the pool can count in nanoseconds (about 292 years). */
    @Provide
    Arbitrary<Duration> tooLong() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MAX_VALUE / 1_000_000_000L + 1, Long.MAX_VALUE).map(Duration::ofSeconds),
                Arbitraries.of(Duration.ofNanos(Long.MAX_VALUE).plusNanos(1)));
    }

    @Provide
    Arbitrary<Duration> notNegative() {
        return Arbitraries.oneOf(positive(), Arbitraries.just(Duration.ZERO));
    }

    @Provide
    Arbitrary<Duration> negative() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MIN_VALUE, -1).map(Duration::ofNanos),
                Arbitraries.longs().between(-1_000_000_000L, -1).map(Duration::ofSeconds),
                Arbitraries.just(null));
    }

    @Provide
    Arbitrary<Duration> notPositive() {
        return Arbitraries.oneOf(negative(), Arbitraries.just(Duration.ZERO));
    }

    @Provide
    Arbitrary<String> blank() {
        return Arbitraries.strings().withChars(' ', '\t', '\n', '\r', '\u2003').ofMinLength(0).ofMaxLength(5);
    }

    @Provide
    Arbitrary<String> badAddresses() {
        return Arbitraries.oneOf(
                Arbitraries.of("localhost", "localhost:", ":80", "host:0", "host:65536", "host:-1", "host:http",
                        "::1:80", "[::1]", "[::1]80", "a b:80", "host/x:80", "[::1:80"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10));
    }
}
