package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.testing.PoolFixture;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BuilderValidationTest {

    private static final Duration NEGATIVE = Duration.ofMillis(-1);

    @RegisterExtension
    final PoolFixture fixture = new PoolFixture();

    /** A builder that builds: one loopback server nobody needs to reach (min idle 0 dials nothing). */
    private static ConnPool.Builder valid() {
        return ConnPool.builder().name("validation").servers("127.0.0.1:7").minIdlePerServer(0);
    }

    private static Arguments invalid(String description, UnaryOperator<ConnPool.Builder> change, String option,
            String value) {
        return Arguments.of(Named.of(description, change), option, value);
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                invalid("blank name", b -> b.name(" "), "name", ""),
                invalid("null name", b -> b.name(null), "name", ""),
                invalid("no servers", b -> b.servers(List.of()), "servers", ""),
                invalid("a server twice", b -> b.servers("127.0.0.1:7", "127.0.0.1:7"), "servers", "127.0.0.1:7"),
                invalid("null server", b -> b.servers(java.util.Arrays.asList((ServerAddress) null)), "servers", "null"),
                invalid("zero dialTimeout", b -> b.dialTimeout(Duration.ZERO), "dialTimeout", "PT0S"),
                invalid("negative dialTimeout", b -> b.dialTimeout(NEGATIVE), "dialTimeout", "PT-0.001S"),
                invalid("null dialTimeout", b -> b.dialTimeout(null), "dialTimeout", "null"),
                invalid("negative readTimeout", b -> b.readTimeout(NEGATIVE), "readTimeout", "PT-0.001S"),
                invalid("null readTimeout", b -> b.readTimeout(null), "readTimeout", "null"),
                invalid("zero retryMin", b -> b.retryMin(Duration.ZERO), "retryMin", "PT0S"),
                invalid("null retryMin", b -> b.retryMin(null), "retryMin", "null"),
                invalid("zero retryMax", b -> b.retryMax(Duration.ZERO), "retryMax", "PT0S"),
                invalid("retryMin above retryMax", b -> b.retryMin(Duration.ofSeconds(5)).retryMax(Duration.ofSeconds(1)),
                        "retryMin", "PT5S"),
                invalid("negative maxRps", b -> b.maxRps(-1), "maxRps", "-1"),
                invalid("zero maxConnectionsPerServer", b -> b.maxConnectionsPerServer(0), "maxConnectionsPerServer", "0"),
                invalid("negative minIdlePerServer", b -> b.minIdlePerServer(-1), "minIdlePerServer", "-1"),
                invalid("minIdlePerServer above the max", b -> b.maxConnectionsPerServer(2).minIdlePerServer(3),
                        "minIdlePerServer", "3"),
                invalid("zero acquireTimeout", b -> b.acquireTimeout(Duration.ZERO), "acquireTimeout", "PT0S"),
                invalid("null acquireTimeout", b -> b.acquireTimeout(null), "acquireTimeout", "null"),
                invalid("negative idleTimeout", b -> b.idleTimeout(NEGATIVE), "idleTimeout", "PT-0.001S"),
                invalid("negative maxLifetime", b -> b.maxLifetime(NEGATIVE), "maxLifetime", "PT-0.001S"),
                invalid("negative validationInterval", b -> b.validationInterval(NEGATIVE), "validationInterval",
                        "PT-0.001S"),
                invalid("negative leakDetectionThreshold", b -> b.leakDetectionThreshold(NEGATIVE),
                        "leakDetectionThreshold", "PT-0.001S"),
                invalid("negative ejectAfterFailures", b -> b.ejectAfterFailures(-1), "ejectAfterFailures", "-1"),
                invalid("null dialer", b -> b.dialer(null), "dialer", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOptions")
    void buildRejectsAnInvalidOptionNamingIt(UnaryOperator<ConnPool.Builder> change, String option, String value) {
        ConnPool.Builder builder = change.apply(valid());
        var thrown = assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(option + " ")
                .hasMessageContaining(value);
        if (!option.equals("name")) {
            thrown.hasMessageContaining("pool 'validation'");
        }
    }

    static Stream<Arguments> boundaryValues() {
        return Stream.<UnaryOperator<ConnPool.Builder>>of(
                b -> b.readTimeout(Duration.ZERO),
                b -> b.idleTimeout(Duration.ZERO),
                b -> b.maxLifetime(Duration.ZERO),
                b -> b.validationInterval(Duration.ZERO),
                b -> b.leakDetectionThreshold(Duration.ZERO),
                b -> b.maxRps(0),
                b -> b.ejectAfterFailures(0),
                b -> b.minIdlePerServer(0),
                b -> b.maxConnectionsPerServer(1).minIdlePerServer(1),
                b -> b.retryMin(Duration.ofSeconds(3)).retryMax(Duration.ofSeconds(3)),
                b -> b.dialTimeout(Duration.ofNanos(1)),
                b -> b.backoff(null).validator(null).budget(null))
                .map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("boundaryValues")
    void buildAcceptsTheDocumentedBoundaryValues(UnaryOperator<ConnPool.Builder> change) {
        ConnPool pool = fixture.pool(change.apply(valid()));
        assertThat(pool.isClosed()).isFalse();
    }

    @Test
    void anUnparsableServerIsRejectedWhenGivenNamingTheValue() {
        assertThatThrownBy(() -> ConnPool.builder().servers("127.0.0.1:7", "db-1:http"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'db-1:http'");
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        ConnPool pool = fixture.pool(ConnPool.builder().servers("127.0.0.1:7").minIdlePerServer(0));
        assertThat(pool.name()).isEqualTo("default");
        PoolConfig config = ConnPool.builder().servers("127.0.0.1:7").options.validated();
        assertThat(config.dialTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.retryMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.retryMax()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.maxConnectionsPerServer()).isEqualTo(8);
        assertThat(config.minIdlePerServer()).isEqualTo(1);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.leakDetectionThreshold()).isEqualTo(Duration.ZERO);
        assertThat(config.maxRps()).isZero();
        assertThat(config.dialer()).isSameAs(Dialer.tcp());
        assertThat(config.backoff()).hasToString("Backoff.exponential(PT1S, PT1M)");
    }
}
