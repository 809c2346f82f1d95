package io.connpool.autoconfigure.observation;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.ConnPool;
import io.connpool.NoServerAvailableException;
import io.connpool.PooledConnection;
import io.connpool.autoconfigure.ConnPoolAutoConfiguration;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** With an ObservationRegistry bean, acquires and dials are observed with low-cardinality pool, server and outcome. */
class ConnPoolObservationTests {

    private final MockTcpServer a = NamedEcho.start("a");

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class))
            .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
            .withPropertyValues("connpool.servers=" + a.address(), "connpool.min-idle-per-server=0");

    @AfterEach
    void stop() {
        a.close();
    }

    @Test
    void anAcquireThatDialsIsAnAcquireObservationWithADialInside() {
        runner.run(context -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            try (PooledConnection connection = context.getBean(ConnPool.class).acquire()) {
                assertThat(LineClient.call(connection, "o")).isEqualTo("a:o");
            }
            assertThat(registry).hasNumberOfObservationsWithNameEqualTo("connpool.acquire", 1)
                    .hasObservationWithNameEqualTo("connpool.acquire").that()
                    .hasBeenStarted().hasBeenStopped()
                    .hasLowCardinalityKeyValue("pool", "default")
                    .hasLowCardinalityKeyValue("server", a.address())
                    .hasLowCardinalityKeyValue("outcome", "success")
                    .hasContextualNameEqualTo("acquire default");
            assertThat(registry).hasObservationWithNameEqualTo("connpool.dial").that()
                    .hasLowCardinalityKeyValue("server", a.address())
                    .hasLowCardinalityKeyValue("outcome", "success")
                    .hasParentObservationContextMatching(parent -> parent.getName().equals("connpool.acquire"));
        });
    }

    @Test
    void aFailedAcquireHasItsOutcomeAndError() {
        runner.withPropertyValues("connpool.servers=127.0.0.1:1", "connpool.acquire-timeout=300ms").run(context -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            ConnPool pool = context.getBean(ConnPool.class);
            assertThatThrownBy(pool::tryAcquire).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(pool::tryAcquire).isInstanceOf(NoServerAvailableException.class);
            assertThat(registry).hasAnObservation(observation -> observation.hasNameEqualTo("connpool.acquire")
                    .hasLowCardinalityKeyValue("outcome", "no-server").hasLowCardinalityKeyValue("server", "none")
                    .assertThatError().isInstanceOf(NoServerAvailableException.class));
            assertThat(registry).hasAnObservation(observation -> observation.hasNameEqualTo("connpool.dial")
                    .hasLowCardinalityKeyValue("outcome", "error"));
        });
    }

    @Test
    void aConventionBeanReplacesTheDefault() {
        runner.withBean(ConnPoolObservationConvention.class, () -> new DefaultConnPoolObservationConvention() {
            @Override
            public KeyValues getLowCardinalityKeyValues(ConnPoolObservationContext context) {
                return super.getLowCardinalityKeyValues(context).and("team", "payments");
            }
        }).run(context -> {
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            context.getBean(ConnPool.class).acquire(Duration.ofSeconds(5)).close();
            assertThat(registry).hasObservationWithNameEqualTo("connpool.acquire").that()
                    .hasLowCardinalityKeyValue("team", "payments").hasLowCardinalityKeyValue("pool", "default");
        });
    }

    @Test
    void withoutARegistryNothingIsObservedAndAcquireWorks() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class))
                .withPropertyValues("connpool.servers=" + a.address()).run(context -> {
                    try (PooledConnection connection = context.getBean(ConnPool.class).acquire()) {
                        assertThat(LineClient.call(connection, "n")).isEqualTo("a:n");
                    }
                });
    }
}
