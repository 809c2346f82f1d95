package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;

/**
 * What {@code spring-boot:process-aot} does, on an application with named pools: generate the context ahead
 * of time, compile the generated code, and run it. The named pools are those of the run-time configuration.
 */
@CompileWithForkedClassLoader
class NamedPoolsAotTests {

    @Test
    void anApplicationWithNamedPoolsIsProcessedAheadOfTimeAndRuns() {
        GenericApplicationContext buildTime = new GenericApplicationContext();
        AnnotationConfigUtils.registerAnnotationConfigProcessors(buildTime);
        buildTime.registerBean(AotApp.class);
        TestPropertyValues.of("connpool.pools.ledger.servers=127.0.0.1:1").applyTo(buildTime);
        TestGenerationContext generation = new TestGenerationContext(AotApp.class);
        ClassName initializerName = new ApplicationContextAotGenerator().processAheadOfTime(buildTime, generation);
        generation.writeGeneratedContent();

        try (MockTcpServer ledger = NamedEcho.start("ledger"); MockTcpServer audit = NamedEcho.start("audit")) {
            TestCompiler.forSystem().with(generation).compile(compiled -> {
                try (GenericApplicationContext runTime = new GenericApplicationContext()) {
                    TestPropertyValues.of("connpool.pools.ledger.servers=" + ledger.address(),
                            "connpool.pools.audit.servers=" + audit.address()).applyTo(runTime);
                    @SuppressWarnings("unchecked")
                    ApplicationContextInitializer<GenericApplicationContext> initializer = compiled
                            .getInstance(ApplicationContextInitializer.class, initializerName.toString());
                    initializer.initialize(runTime);
                    runTime.refresh();

                    assertThat(runTime.getBean(ConnPools.class).names()).containsExactlyInAnyOrder("ledger", "audit");
                    ConnPool injected = runTime.getBean(AotApp.class).ledger;
                    assertThat(injected).isSameAs(runTime.getBean("ledgerConnPool"));
                    try (PooledConnection connection = injected.acquire()) {
                        assertThat(LineClient.call(connection, "aot")).isEqualTo("ledger:aot");
                    }
                    try (PooledConnection connection = runTime.getBean("audit", ConnPool.class).acquire()) {
                        assertThat(LineClient.call(connection, "aot")).isEqualTo("audit:aot");
                    }
                }
                catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            });
        }
    }

    @Test
    void theRuntimeHintsCoverThePropertiesReadByIntrospection() throws NoSuchMethodException {
        RuntimeHints hints = new RuntimeHints();
        new ConnPoolRuntimeHints().registerHints(hints, getClass().getClassLoader());
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(PoolProperties.class.getMethod("getDialTimeout")))
                .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection()
                .onMethodInvocation(PoolProperties.Ssl.class.getMethod("setBundle", String.class))).accepts(hints);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ SslAutoConfiguration.class, ConnPoolAutoConfiguration.class })
    static class AotApp {

        ConnPool ledger;

        @Bean
        String ledgerClient(@Qualifier("ledger") ConnPool pool) {
            this.ledger = pool;
            return "uses " + pool.name();
        }
    }
}
