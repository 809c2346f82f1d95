package io.connpool.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import io.connpool.autoconfigure.ConnPools;
import io.connpool.test.MockTcpServer;
import io.connpool.testing.LineClient;
import io.connpool.testing.NamedEcho;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * The starter in a real web application: health and metrics over HTTP while real loopback servers stop
 * and come back.
 */
@SpringBootTest(classes = ConnPoolActuatorIntegrationTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class ConnPoolActuatorIntegrationTests {

    static final MockTcpServer a = NamedEcho.start("a");
    static final MockTcpServer b = NamedEcho.start("b");
    static final MockTcpServer c = NamedEcho.start("c");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("connpool.servers", () -> a.address() + "," + b.address());
        registry.add("connpool.pools.billing.servers", c::address);
        registry.add("connpool.retry-min", () -> "50ms");
        registry.add("connpool.retry-max", () -> "300ms");
        registry.add("connpool.acquire-timeout", () -> "300ms");
        registry.add("management.endpoints.web.exposure.include", () -> "health,metrics");
        registry.add("management.endpoint.health.show-details", () -> "always");
    }

    @AfterAll
    static void stopServers() {
        List.of(a, b, c).forEach(MockTcpServer::close);
    }

    @Autowired
    RestTestClient http;

    @Autowired
    ConnPool pool;

    @Autowired
    ConnPools pools;

    @Test
    void healthAndMetricsFollowTheServers() {
        String serverA = "$.components.connPool.components.default.components['" + a.address() + "']";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String health = get("/actuator/health", 200);
            assertThat(read(health, "$.status")).isEqualTo("UP");
            assertThat(read(health, serverA + ".status")).isEqualTo("UP");
            assertThat(read(health, "$.components.connPool.components.billing.status")).isEqualTo("UP");
        });
        String one = get("/actuator/health/connPool/default/" + a.address(), 200);
        assertThat(read(one, "$.status")).isEqualTo("UP");
        assertThat(read(one, "$.details.state")).isEqualTo("UP");

        traffic(pool);
        String active = get("/actuator/metrics/connpool.connections.active?tag=pool:default", 200);
        assertThat(JsonPath.<List<String>>read(active, "$.availableTags[?(@.tag == 'server')].values[*]"))
                .containsExactlyInAnyOrder(a.address(), b.address());
        assertThat(get("/actuator/metrics/connpool.connections.acquire?tag=pool:default", 200)).contains("COUNT");

        // One server of two stops: its component says so, the pool still serves and stays UP.
        a.stop();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            traffic(pool);
            String health = get("/actuator/health", 200);
            assertThat(read(health, serverA + ".status")).isEqualTo("BYPASSED");
            assertThat(read(health, serverA + ".details.state")).isEqualTo("DOWN");
            assertThat(read(health, "$.components.connPool.components.default.status")).isEqualTo("UP");
            assertThat(read(health, "$.status")).isEqualTo("UP");
        });
        String up = get("/actuator/metrics/connpool.server.up?tag=pool:default&tag=server:" + a.address(), 200);
        assertThat(JsonPath.<Double>read(up, "$.measurements[0].value")).isZero();

        // It comes back: the background probe finds it.
        a.restart();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                read(get("/actuator/health/connPool/default/" + a.address(), 200), "$.status")).isEqualTo("UP"));

        // The only server of a pool stops: that pool, and the application, are DOWN.
        c.stop();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            traffic(pools.get("billing"));
            String health = get("/actuator/health", 503);
            assertThat(read(health, "$.components.connPool.components.billing.status")).isEqualTo("DOWN");
            assertThat(read(health, "$.components.connPool.components.default.status")).isEqualTo("UP");
        });
        c.restart();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> get("/actuator/health", 200));
    }

    @Test
    void theConnpoolEndpointIsOffUnlessExposed() {
        http.get().uri("/actuator/connpool").exchange().expectStatus().isNotFound();
    }

    private String get(String uri, int status) {
        return http.get().uri(uri).exchange().expectStatus().isEqualTo(status).expectBody(String.class)
                .returnResult().getResponseBody();
    }

    private static String read(String json, String path) {
        return JsonPath.read(json, path);
    }

    private static void traffic(ConnPool pool) {
        for (int i = 0; i < 4; i++) {
            try (PooledConnection connection = pool.acquire()) {
                LineClient.call(connection, "x");
            }
            catch (IOException expected) {
                // a stopped server: the pool notices and marks it down
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
