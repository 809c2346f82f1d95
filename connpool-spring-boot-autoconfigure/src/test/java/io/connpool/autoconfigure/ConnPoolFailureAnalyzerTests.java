package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.ConnPool;
import io.connpool.Dialer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Every bad value stops start-up with a report naming the property the user set, the value of the source
 * that won, where it was set, the core's rule and the fix.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnPoolFailureAnalyzerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class))
            .withPropertyValues("connpool.min-idle-per-server=0");

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            connpool.servers                          | db-1                | connpool.servers                             | the port is missing                    | host:port
            connpool.servers                          | db-1:70000          | connpool.servers                             | out of range 1 to 65535                | from 1 to 65535
            connpool.servers                          | db-1:7000,db-1:7000 | connpool.servers                             | lists a server twice                   | once each
            connpool.pools.billing.servers            | 'billing-1:x'       | connpool.pools.billing.servers               | is not a number                        | host:port
            connpool.pools.billing.retry-min          | 5m                  | connpool.pools.billing.retry-min             | must not be greater than retryMax      | or change connpool.pools.billing.retry-max
            connpool.max-connections-per-server       | 0                   | connpool.max-connections-per-server          | at least 1                             | whole number
            connpool.pools.billing.max-rps            | -1                  | connpool.pools.billing.max-rps               | 0 (unlimited) or positive              | whole number
            connpool.min-idle-per-server              | -2                  | connpool.min-idle-per-server                 | between 0 and maxConnectionsPerServer  | or change connpool.max-connections-per-server
            connpool.pools.billing.min-idle-per-server| 9                   | connpool.pools.billing.min-idle-per-server   | between 0 and maxConnectionsPerServer  | or change connpool.pools.billing.max-connections-per-server
            connpool.eject-after-failures             | -1                  | connpool.eject-after-failures                | 0 (never eject) or positive            | whole number
            connpool.pools.billing.dial-timeout       | 0s                  | connpool.pools.billing.dial-timeout          | positive duration                      | such as 500ms, 2s or 1m
            connpool.acquire-timeout                  | -1s                 | connpool.acquire-timeout                     | positive duration                      | such as 500ms, 2s or 1m
            connpool.idle-timeout                     | -5s                 | connpool.idle-timeout                        | zero or a positive duration            | such as 500ms, 2s or 1m
            connpool.pools.billing.leak-detection-threshold | -1ms          | connpool.pools.billing.leak-detection-threshold | zero or a positive duration         | such as 500ms, 2s or 1m
            connpool.dial-timeout                     | 200000d             | connpool.dial-timeout                        | must be at most                        | such as 500ms, 2s or 1m
            """)
    void badValueIsReportedWithPropertyValueAndFix(String property, String value, String reported, String reason,
            String fix) {
        runner.withPropertyValues("connpool.servers=127.0.0.1:7000", "connpool.pools.billing.servers=127.0.0.1:7001",
                property + "=" + value).run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription())
                            .contains("Invalid value '" + value + "' for configuration property '" + reported + "'")
                            .contains(reason);
                    assertThat(analysis.getAction()).contains(fix);
                });
    }

    @Test
    void namedPoolWithoutServers() {
        runner.withPropertyValues("connpool.pools.billing.max-rps=5").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("'connpool.pools.billing.servers' (not set)")
                    .contains("servers must list at least one");
            assertThat(analysis.getAction()).contains("Set connpool.pools.billing.servers");
        });
    }

    @Test
    void inheritedBadValueNamesTheTopLevelPropertyWithTheValueAsWritten() {
        runner.withPropertyValues("connpool.retry-min=2m", "connpool.pools.billing.servers=127.0.0.1:7001")
                .run(context -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("Invalid value '2m' for configuration property"
                            + " 'connpool.retry-min'");
                });
    }

    @Test
    void poolNamedDefaultIsRejected() {
        runner.withPropertyValues("connpool.pools.default.servers=127.0.0.1:7001").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("connpool.pools.default");
        });
    }

    @Test
    void unknownSslBundle() {
        runner.withPropertyValues("connpool.servers=127.0.0.1:7000", "connpool.ssl.bundle=nope").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("'nope'").contains("'connpool.ssl.bundle'")
                    .contains("no SSL bundle named 'nope'");
            assertThat(analysis.getAction()).contains("spring.ssl.bundle.pem.nope");
        });
    }

    @Test
    void unknownSslBundleOfANamedPool() {
        runner.withPropertyValues("connpool.pools.billing.servers=127.0.0.1:7000",
                "connpool.pools.billing.ssl.bundle=missing").run(context -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'connpool.pools.billing.ssl.bundle'");
                });
    }

    @Test
    void tlsTogetherWithADialerBeanIsRejected() {
        runner.withUserConfiguration(UserDialer.class)
                .withPropertyValues("connpool.servers=127.0.0.1:7000", "connpool.ssl.enabled=true").run(context -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'connpool.ssl.enabled'").contains("Dialer bean");
                    assertThat(analysis.getAction()).contains("ConnPoolBuilderCustomizer");
                });
    }

    @Test
    void aBadValueFromACustomizerNamesTheCustomizerNotTheProperty() {
        runner.withBean(ConnPoolBuilderCustomizer.class, () -> (name, builder) -> builder.maxConnectionsPerServer(0))
                .withPropertyValues("connpool.servers=127.0.0.1:7000", "connpool.max-connections-per-server=4")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("connpool.max-connections-per-server is 4, but a ConnPoolBuilderCustomizer"
                                + " changed the builder's maxConnectionsPerServer"));
    }

    @Test
    void aRealApplicationPrintsTheReport(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("connpool.pools.billing.servers=127.0.0.1:7001", "connpool.pools.billing.retry-min=5m",
                        "connpool.retry-max=1m", "connpool.min-idle-per-server=0");
        assertThatThrownBy(application::run).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value '5m' for configuration property 'connpool.pools.billing.retry-min'")
                .contains("Change connpool.pools.billing.retry-min").contains("or change connpool.retry-max");
    }

    @Test
    void aCommandLineOverrideOfAListInAFileIsReportedWithItsOwnValueAndOrigin(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE);
        assertThatThrownBy(() -> application.run("--spring.config.name=failure-report",
                "--connpool.pools.ledger.servers=foo")).isNotNull();
        assertThat(output).contains("Invalid value 'foo' for configuration property 'connpool.pools.ledger.servers'"
                + " (set in \"connpool.pools.ledger.servers\" from property source \"commandLineArgs\")")
                .doesNotContain("19002");
    }

    @Test
    void anEnvironmentVariableOverridingTheFileIsReportedAsSuch(CapturedOutput output) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("CONNPOOL_DIAL_TIMEOUT", "0s")));
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .environment(environment);
        assertThatThrownBy(() -> application.run("--spring.config.name=failure-report")).isNotNull();
        assertThat(output).contains("Invalid value '0s' for configuration property 'connpool.dial-timeout'"
                + " (set in System Environment Property \"CONNPOOL_DIAL_TIMEOUT\")");
    }

    @Test
    void aMisspelledKeyIsReportedWithTheKeyItMeant(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("connpool.min-idle-per-server=0");
        assertThatThrownBy(() -> application.run("--connpool.pools.billing.servers=127.0.0.1:7001",
                "--connpool.pools.billing.max-connection-per-server=4")).isNotNull();
        assertThat(output).contains("Unknown configuration property 'connpool.pools.billing.max-connection-per-server'"
                + " (set in \"connpool.pools.billing.max-connection-per-server\" from property source \"commandLineArgs\")")
                .contains("Rename connpool.pools.billing.max-connection-per-server to"
                        + " connpool.pools.billing.max-connections-per-server");
        assertThat(UnknownKeyFailureAnalyzer.closest("connpool.dial-timout")).isEqualTo("connpool.dial-timeout");
        assertThat(UnknownKeyFailureAnalyzer.closest("connpool.ssl.bundel")).isEqualTo("connpool.ssl.bundle");
    }

    @Test
    void aConnPoolInjectionWithNoPoolConfiguredSaysWhichPropertyToSet(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class, NeedsAPool.class)
                .web(WebApplicationType.NONE);
        assertThatThrownBy(application::run).isNotNull();
        assertThat(output).contains("required a ConnPool, but no pool is configured")
                .contains("Set connpool.servers to the servers of the default pool");
    }

    @Test
    void aQualifiedInjectionOfAnUnknownPoolNamesItsProperty(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class, NeedsBilling.class)
                .web(WebApplicationType.NONE)
                .properties("connpool.pools.ledger.servers=127.0.0.1:7001", "connpool.min-idle-per-server=0");
        assertThatThrownBy(application::run).isNotNull();
        assertThat(output).contains("required the connection pool 'billing', but no pool of that name is configured"
                + " (the named pools are [ledger])").contains("Set connpool.pools.billing.servers");
    }

    static FailureAnalysis analyze(Throwable failure) {
        assertThat(failure).isNotNull();
        FailureAnalysis analysis = new ConnPoolFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("analysis of %s", failure).isNotNull();
        return analysis;
    }

    @Configuration(proxyBeanMethods = false)
    static class UserDialer {

        @Bean
        Dialer userDialer() {
            return Dialer.tcp();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NeedsAPool {

        @Bean
        String client(ConnPool pool) {
            return pool.name();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NeedsBilling {

        @Bean
        String billingClient(@Qualifier("billing") ConnPool pool) {
            return pool.name();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
