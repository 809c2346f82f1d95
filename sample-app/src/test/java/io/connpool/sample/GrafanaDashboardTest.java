package io.connpool.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.connpool.ConnPool;
import io.connpool.PooledConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * docs/grafana-dashboard.json against what the sample really exposes at {@code /actuator/prometheus}: every
 * metric a panel or a variable queries is in the scrape, and every connpool meter of the scrape is on a panel.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureRestTestClient
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("../docs/grafana-dashboard.json");

    /** The sample lines Prometheus derives from one metric family (Micrometer's timer max is a family of its own). */
    private static final List<String> SAMPLE_SUFFIXES = List.of("", "_count", "_sum", "_bucket", "_total", "_created");

    @Autowired
    private RestTestClient http;

    private Set<String> scraped;

    private Set<String> families;

    @Autowired
    private ConnPool pool;

    @BeforeEach
    void scrape() throws IOException {
        for (int i = 0; i < 6; i++) { // some traffic, so that every timer has samples
            http.get().uri("/api/echo?text=dashboard-" + i).exchange().expectStatus().isOk();
        }
        // the sample's EchoClient borrows through execute (connpool.execute); a plain borrow too, as any other
        // client of the pool does, for the panels of connpool.acquire
        try (PooledConnection connection = pool.acquire()) {
            connection.socket();
        }
        String scrape = http.get().uri("/actuator/prometheus").accept(MediaType.TEXT_PLAIN).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        scraped = new TreeSet<>();
        families = new TreeSet<>();
        for (String line : scrape.lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                families.add(line.split(" ")[2]);
            }
            else if (!line.isBlank() && !line.startsWith("#")) {
                scraped.add(line.split("[{ ]", 2)[0]);
            }
        }
    }

    /** Each query of the dashboard by where it is: panel title and refId, or variable name. */
    private static Map<String, String> queries() throws IOException {
        String dashboard = Files.readString(DASHBOARD);
        Map<String, String> queries = new LinkedHashMap<>();
        List<Map<String, Object>> panels = JsonPath.read(dashboard, "$..panels[*]");
        for (Map<String, Object> panel : panels) {
            if (panel.get("targets") instanceof List<?> targets) {
                for (Object target : targets) {
                    Map<?, ?> query = (Map<?, ?>) target;
                    queries.put("panel '" + panel.get("title") + "' " + query.get("refId"), (String) query.get("expr"));
                }
            }
        }
        List<Map<String, Object>> variables = JsonPath.read(dashboard, "$.templating.list[?(@.type == 'query')]");
        for (Map<String, Object> variable : variables) {
            queries.put("variable $" + variable.get("name"), (String) variable.get("definition"));
        }
        return queries;
    }

    @Test
    void everyMetricTheDashboardQueriesIsInTheSamplesScrape() throws IOException {
        Map<String, String> queries = queries();
        assertThat(queries).as("queries of %s", DASHBOARD).hasSizeGreaterThan(10);
        List<String> missing = new ArrayList<>();
        queries.forEach((where, expression) -> {
            Set<String> names = PromQl.metricNames(expression);
            assertThat(names).as("metrics read by %s: %s", where, expression).isNotEmpty();
            names.stream().filter(name -> !scraped.contains(name))
                    .forEach(name -> missing.add(name + " (" + where + ")"));
        });
        assertThat(missing).as("metrics the dashboard queries that /actuator/prometheus does not expose").isEmpty();
    }

    @Test
    void everyConnpoolMeterOfTheScrapeIsOnThePanels() throws IOException {
        Set<String> queried = queries().values().stream().flatMap(expression -> PromQl.metricNames(expression).stream())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> connpool = families.stream().filter(family -> family.startsWith("connpool_"))
                .collect(Collectors.toCollection(TreeSet::new));
        // the meters the sample must expose for the dashboard to be complete (rate limiters: max-rps > 0)
        assertThat(connpool).contains("connpool_connections_active", "connpool_connections_idle",
                "connpool_connections_pending", "connpool_connections_max", "connpool_connections_acquire_seconds",
                "connpool_connections_timeout_total", "connpool_server_up", "connpool_ratelimiter_available_permissions",
                "connpool_ratelimiter_waiting_threads");
        assertThat(scraped).as("the acquire histogram, for the p99 panel").contains("connpool_connections_acquire_seconds_bucket");
        List<String> notOnAPanel = connpool.stream()
                .filter(family -> SAMPLE_SUFFIXES.stream().noneMatch(suffix -> queried.contains(family + suffix)))
                .toList();
        assertThat(notOnAPanel).as("connpool meters no panel of %s shows", DASHBOARD).isEmpty();
    }

    @Test
    void promQlNamesAreTheMetricsNotTheFunctionsLabelsOrVariables() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, pool) (rate("
                + "connpool_connections_acquire_seconds_bucket{pool=~\"$pool\", server!=\"a:1\"}[$__rate_interval])))"))
                .containsExactly("connpool_connections_acquire_seconds_bucket");
        assertThat(PromQl.metricNames("sum(rate(a_sum[5m])) / on (pool) group_left sum(rate(b_count[5m])) > bool 0"))
                .containsExactly("a_sum", "b_count");
        assertThat(PromQl.metricNames("label_values(connpool_server_up{pool=~\"$pool\"}, server)"))
                .containsExactly("connpool_server_up");
    }
}
