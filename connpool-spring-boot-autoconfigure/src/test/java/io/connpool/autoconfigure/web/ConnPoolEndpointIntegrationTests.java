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
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

/** The connpool endpoint over real HTTP, exposed as a user would expose it. */
@SpringBootTest(classes = ConnPoolEndpointIntegrationTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class ConnPoolEndpointIntegrationTests {

    static final MockTcpServer a = NamedEcho.start("a");
    static final MockTcpServer c = NamedEcho.start("c");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("connpool.servers", a::address);
        registry.add("connpool.pools.billing.servers", c::address);
        registry.add("connpool.pools.billing.max-connections-per-server", () -> "3");
        registry.add("connpool.retry-min", () -> "5s");
        registry.add("connpool.retry-max", () -> "10s");
        registry.add("management.endpoints.web.exposure.include", () -> "connpool");
    }

    @AfterAll
    static void stopServers() {
        List.of(a, c).forEach(MockTcpServer::close);
    }

    @Autowired
    RestTestClient http;

    @Autowired
    ConnPools pools;

    @Test
    void everyPoolWithItsStatsAndServers() {
        await().atMost(Duration.ofSeconds(10)).until(() -> pools.get("default").stats().idle() == 1);
        String body = get("/actuator/connpool", 200);
        assertThat(JsonPath.<Map<String, Object>>read(body, "$.pools")).containsOnlyKeys("default", "billing");
        assertThat(JsonPath.<String>read(body, "$.pools.default.name")).isEqualTo("default");
        assertThat(JsonPath.<Boolean>read(body, "$.pools.default.closed")).isFalse();
        assertThat(JsonPath.<Map<String, Object>>read(body, "$.pools.default.stats")).containsOnlyKeys("active", "idle",
                "pending", "max", "acquired", "released", "timeouts", "created", "closed");
        assertThat(JsonPath.<Integer>read(body, "$.pools.billing.stats.max")).isEqualTo(3);
        Map<String, Object> server = JsonPath.read(body, "$.pools.default.servers[0]");
        assertThat(server).containsOnlyKeys("address", "source", "state", "active", "idle", "consecutiveFailures",
                "lastError", "lastErrorAt", "nextRetry");
        assertThat(server).containsEntry("address", a.address()).containsEntry("source", a.address())
                .containsEntry("state", "UP").containsEntry("idle", 1).containsEntry("lastError", null)
                .containsEntry("nextRetry", null);
    }

    @Test
    void onePoolAnd404ForAnUnknownOne() {
        assertThat(JsonPath.<String>read(get("/actuator/connpool/billing", 200), "$.name")).isEqualTo("billing");
        http.get().uri("/actuator/connpool/nope").exchange().expectStatus().isNotFound();
        http.post().uri("/actuator/connpool/nope").exchange().expectStatus().isNotFound();
    }

    @Test
    void aDownServerShowsItsLastErrorAndNextRetry() {
        ConnPool billing = pools.get("billing");
        c.stop();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                traffic(billing);
                String server = "$.servers[0]";
                String body = get("/actuator/connpool/billing", 200);
                assertThat(JsonPath.<String>read(body, server + ".state")).isEqualTo("DOWN");
                assertThat(JsonPath.<String>read(body, server + ".lastError")).isNotBlank();
                assertThat(Instant.parse(JsonPath.read(body, server + ".lastErrorAt"))).isBefore(Instant.now());
                assertThat(Instant.parse(JsonPath.read(body, server + ".nextRetry"))).isNotNull();
            });
        }
        finally {
            c.restart();
        }
    }

    @Test
    void aPostSoftEvictsThePool() {
        ConnPool pool = pools.get("default");
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == 1);
        long closedBefore = pool.stats().closed();
        String body = http.post().uri("/actuator/connpool/default").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(JsonPath.<String>read(body, "$.name")).isEqualTo("default");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(pool.stats().closed()).as("the idle connection was replaced").isGreaterThan(closedBefore));
    }

    private String get(String uri, int status) {
        return http.get().uri(uri).exchange().expectStatus().isEqualTo(status).expectBody(String.class)
                .returnResult().getResponseBody();
    }

    private static void traffic(ConnPool pool) {
        for (int i = 0; i < 3; i++) {
            try (PooledConnection connection = pool.tryAcquire()) {
                LineClient.call(connection, "x");
            }
            catch (IOException expected) {
                // the stopped server: the pool notices and marks it down
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }
}
