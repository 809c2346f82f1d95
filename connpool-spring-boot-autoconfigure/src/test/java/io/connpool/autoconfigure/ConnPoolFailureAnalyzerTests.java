package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.Dialer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

/** Every bad value stops start-up with a report naming the property, the value and the fix. */
@ExtendWith(OutputCaptureExtension.class)
class ConnPoolFailureAnalyzerTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ConnPoolAutoConfiguration.class))
            .withPropertyValues("connpool.min-idle-per-server=0");

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            connpool.servers                          | db-1                | connpool.servers[0]                          | the port is missing                    | host:port
            connpool.servers                          | db-1:70000          | connpool.servers[0]                          | out of range 1 to 65535                | from 1 to 65535
            connpool.servers                          | db-1:7000,db-1:7000 | connpool.servers[1]                          | listed twice                           | once
            connpool.pools.billing.servers            | 'billing-1:x'       | connpool.pools.billing.servers[0]            | is not a number                        | host:port
            connpool.pools.billing.retry-min          | 5m                  | connpool.pools.billing.retry-min             | greater than connpool.retry-max        | Lower connpool.pools.billing.retry-min or raise connpool.retry-max
            connpool.max-connections-per-server       | 0                   | connpool.max-connections-per-server          | at least 1                             | positive number
            connpool.pools.billing.max-rps            | -1                  | connpool.pools.billing.max-rps               | 0 or more                              | 0 for no rate limit
            connpool.min-idle-per-server              | -2                  | connpool.min-idle-per-server                 | 0 or more                              | up to max-connections-per-server
            connpool.pools.billing.min-idle-per-server| 9                   | connpool.pools.billing.min-idle-per-server   | greater than connpool.max-connections-per-server | raise connpool.max-connections-per-server
            connpool.eject-after-failures             | -1                  | connpool.eject-after-failures                | 0 or more                              | never eject
            connpool.pools.billing.dial-timeout       | 0s                  | connpool.pools.billing.dial-timeout          | positive duration                      | above zero
            connpool.acquire-timeout                  | -1s                 | connpool.acquire-timeout                     | positive duration                      | above zero
            connpool.idle-timeout                     | -5s                 | connpool.idle-timeout                        | must not be negative                   | 0 or a positive duration
            connpool.pools.billing.leak-detection-threshold | -1ms          | connpool.pools.billing.leak-detection-threshold | must not be negative                | 0 or a positive duration
            """)
    void badValueIsReportedWithPropertyValueAndFix(String property, String value, String reported, String reason,
            String fix) {
        runner.withPropertyValues("connpool.servers=127.0.0.1:7000", "connpool.pools.billing.servers=127.0.0.1:7001",
                property + "=" + value).run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'" + reported + "'").contains(reason);
                    assertThat(analysis.getAction()).contains(fix);
                });
    }

    @Test
    void namedPoolWithoutServers() {
        runner.withPropertyValues("connpool.pools.billing.max-rps=5").run(context -> {
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("connpool.pools.billing.servers")
                    .contains("does not inherit connpool.servers");
            assertThat(analysis.getAction()).contains("Set connpool.pools.billing.servers");
        });
    }

    @Test
    void inheritedBadValueNamesTheTopLevelProperty() {
        runner.withPropertyValues("connpool.retry-min=2m", "connpool.pools.billing.servers=127.0.0.1:7001")
                .run(context -> {
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).contains("'connpool.retry-min'").contains("'PT2M'");
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
    void aRealApplicationPrintsTheReport(CapturedOutput output) {
        SpringApplicationBuilder application = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("connpool.pools.billing.servers=127.0.0.1:7001", "connpool.pools.billing.retry-min=5m",
                        "connpool.retry-max=1m", "connpool.min-idle-per-server=0");
        assertThatThrownBy(application::run).isNotNull();
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value '5m' for configuration property 'connpool.pools.billing.retry-min'")
                .contains("Lower connpool.pools.billing.retry-min or raise connpool.retry-max");
    }

    private static FailureAnalysis analyze(Throwable failure) {
        assertThat(failure).isNotNull();
        FailureAnalysis analysis = new ConnPoolFailureAnalyzer(null).analyze(failure);
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

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
