package io.connpool.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.tracing.test.autoconfigure.AutoConfigureTracing;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * The sample as a user runs it: a real HTTP port, the embedded default servers, the pool between them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
@AutoConfigureTracing
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTest {

    /** retry-max in application.yml is 2 s; the probe must have brought a restarted server back well within this. */
    private static final Duration RECOVERY = Duration.ofSeconds(15);

    @Autowired
    private RestTestClient http;

    @Autowired
    private EmbeddedServers embedded;

    @AfterEach
    void restartAll() {
        embedded.servers().forEach(LineServer::start);
    }

    private String get(String path) {
        return http.get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
                .getResponseBody();
    }

    /** The server's health component, read over HTTP. */
    private String healthOf(LineServer server) {
        return http.get().uri("/actuator/health/connPool/default/" + server.address()).exchange()
                .expectBody(String.class).returnResult().getResponseBody();
    }

    private String statusOf(LineServer server) {
        return JsonPath.read(healthOf(server), "$.status");
    }

    @Test
    void echoIsServedAndSpreadOverTheThreeEmbeddedServers() {
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            String body = get("/api/echo?text=hello-" + i);
            assertThat((String) JsonPath.read(body, "$.reply")).isEqualTo("hello-" + i);
            served.merge(JsonPath.read(body, "$.server"), 1, Integer::sum);
        }
        assertThat(served).containsOnlyKeys(embedded.addresses());
        assertThat(served.values()).allSatisfy(count -> assertThat(count).isBetween(5, 15));

        String metric = get("/actuator/metrics/connpool.connections.acquire");
        List<Double> counts = JsonPath.read(metric, "$.measurements[?(@.statistic == 'COUNT')].value");
        assertThat(counts.get(0)).isGreaterThanOrEqualTo(30.0);
        assertThat(JsonPath.<String>read(get("/actuator/health"), "$.status")).isEqualTo("UP");
    }

    /** Stops the second embedded server once it is UP, and drives traffic until its health says DOWN. */
    private LineServer stopTheSecondServerUntilDown() {
        LineServer second = embedded.servers().get(1);
        await().atMost(RECOVERY).until(() -> statusOf(second).equals("UP"));

        http.post().uri("/api/demo/servers/2/stop").exchange().expectStatus().isOk();

        // traffic finds the broken connections and the failed redial puts the server DOWN; echo never fails
        await().atMost(RECOVERY).until(() -> {
            get("/api/echo?text=during");
            return JsonPath.read(healthOf(second), "$.details.state").equals("DOWN");
        });
        return second;
    }

    @Test
    void aStoppedServerGoesDownInHealthWhileEchoKeepsWorkingAndComesBackWhenRestarted() {
        LineServer second = stopTheSecondServerUntilDown();
        // while the others serve, a down server is BYPASSED rather than DOWN, so the pool and the app stay UP
        assertThat(statusOf(second)).isEqualTo("BYPASSED");
        for (int i = 0; i < 20; i++) {
            String body = get("/api/echo?text=failover-" + i);
            assertThat((String) JsonPath.read(body, "$.server")).isNotEqualTo(second.address());
        }
        assertThat(JsonPath.<String>read(get("/actuator/health/connPool"), "$.status"))
                .as("the pool stays UP while other servers serve").isEqualTo("UP");
        assertThat(JsonPath.<String>read(healthOf(second), "$.details.lastError")).isNotBlank();
        assertThat(JsonPath.<String>read(get("/actuator/health"), "$.status")).isEqualTo("UP");

        http.post().uri("/api/demo/servers/2/start").exchange().expectStatus().isOk();

        await().atMost(RECOVERY).until(() -> statusOf(second).equals("UP"));
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            served.merge(JsonPath.read(get("/api/echo?text=back-" + i), "$.server"), 1, Integer::sum);
        }
        assertThat(served).containsKey(second.address());
    }

    /** The status page's row for the server: its pool state and its health status, as the page shows them. */
    private List<String> pageRowOf(LineServer server) {
        String status = get("/api/status");
        String row = "$.pools[0].servers[?(@.address == '" + server.address() + "')]";
        return List.of(JsonPath.<List<String>>read(status, row + ".state").get(0),
                JsonPath.<List<String>>read(status, row + ".status").get(0));
    }

    @Test
    void theStatusPageSaysWhatHealthSaysOfAServerOnProbation() {
        LineServer second = stopTheSecondServerUntilDown();
        assertThat(pageRowOf(second)).containsExactly("DOWN", "BYPASSED");

        // restarted, its probe answers: on probation until a trial borrow comes back, and no traffic borrows
        http.post().uri("/api/demo/servers/2/start").exchange().expectStatus().isOk();
        await().atMost(RECOVERY).until(() -> JsonPath.read(healthOf(second), "$.details.state").equals("PROBATION"));
        assertThat(statusOf(second)).as("health of a server on probation").isEqualTo("UP");
        assertThat(pageRowOf(second)).as("its row on the status page").containsExactly("PROBATION", "UP");
    }

    @Test
    void eachRequestIsLoggedWithItsTraceId(CapturedOutput output) {
        get("/api/echo?text=traced");
        Pattern line = Pattern.compile("\\[([0-9a-f]{32})-[0-9a-f]{16}\\] .*EchoController +: echo served by server-");
        await().atMost(RECOVERY).untilAsserted(() -> assertThat(line.matcher(output.getOut()).find())
                .as("a log line of the request with its trace id in:%n%s", output.getOut()).isTrue());
    }

    @Test
    void protocolErrorsAndBadInputAreClearHttpErrors() {
        http.get().uri(uri -> uri.path("/api/echo").queryParam("text", "two\nlines").build()).exchange()
                .expectStatus().isBadRequest()
                .expectBody(String.class).value(body -> assertThat(body).contains("single line"));
        http.post().uri("/api/demo/servers/9/stop").exchange().expectStatus().isNotFound();
    }
}
