package io.connpool.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code docs/configuration.md} is the configuration metadata rendered by {@link ConfigurationReference}: a
 * property added, renamed or redescribed in the properties classes fails this test until the page is
 * regenerated with {@link #REGENERATE}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigurationReferenceTests {

    /** Run from the repository's root; rewrites docs/configuration.md from the metadata. */
    static final String REGENERATE = "./mvnw -B -q -pl connpool-spring-boot-autoconfigure -am verify"
            + " -Dtest=ConfigurationReferenceTests -Dsurefire.failIfNoSpecifiedTests=false -Dconnpool.docs.regenerate=true";

    private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

    private static final Path PAGE = Path.of("../docs/configuration.md");

    @Test
    @Order(1) // with -Dconnpool.docs.regenerate=true it rewrites the page the other tests read
    void theCommittedPageIsTheMetadataRendered() throws IOException {
        String rendered = ConfigurationReference.render(Files.readString(METADATA), REGENERATE);
        if (Boolean.getBoolean("connpool.docs.regenerate")) {
            Files.writeString(PAGE, rendered);
        }
        String committed = Files.exists(PAGE) ? Files.readString(PAGE) : "";
        if (!committed.equals(rendered)) {
            Path fresh = Path.of("target/configuration.md").toAbsolutePath();
            Files.writeString(fresh, rendered);
            fail("docs/configuration.md does not match the configuration metadata (" + METADATA + ") "
                    + firstDifference(committed, rendered) + ".\nRegenerate it from the repository's root with\n  "
                    + REGENERATE + "\nor copy " + fresh + ", rendered just now.");
        }
    }

    @Test
    void theCommittedPageHasARowForEveryPropertyWithItsTypeDefaultAndDescription() throws IOException {
        String json = Files.readString(METADATA);
        List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[*]");
        List<String> rows = Files.readAllLines(PAGE).stream().filter(line -> line.startsWith("| `")).toList();
        assertThat(rows).as("rows of %s", PAGE).hasSameSizeAs(properties);
        for (Map<String, Object> property : properties) {
            String name = (String) property.get("name");
            assertThat(rows).as("row of %s in %s", name, PAGE).anySatisfy(row -> {
                String[] cells = row.split(" \\| ");
                assertThat(cells[0]).isEqualTo("| `" + name + "`");
                assertThat(cells[1]).isEqualTo("`" + ConfigurationReference.simpleType((String) property.get("type")) + "`");
                assertThat(cells[2]).isEqualTo(ConfigurationReference.defaultValue(property.get("defaultValue")));
                assertThat(cells[3]).contains(
                        ConfigurationReference.cell(ConfigurationReference.escape((String) property.get("description"))));
            });
        }
    }

    @Test
    void rendersEveryShapeTheMetadataCanTake() {
        String metadata = """
                {
                  "groups": [ { "name": "demo" }, { "name": "demo.inner" } ],
                  "properties": [
                    { "name": "demo.timeout", "type": "java.time.Duration", "description": "How long.", "defaultValue": "2s" },
                    { "name": "demo.servers", "type": "java.util.List<java.lang.String>", "description": "Servers.",
                      "defaultValue": [ "a:1", "b:2" ] },
                    { "name": "demo.pools", "type": "java.util.Map<java.lang.String,io.demo.DemoProperties$Pool>",
                      "description": "Pools.", "defaultValue": {} },
                    { "name": "demo.inner.unit", "type": "java.util.concurrent.TimeUnit", "description": "Unit.",
                      "defaultValue": "seconds" },
                    { "name": "demo.mode", "type": "java.lang.String", "description": "Mode." },
                    { "name": "demo.odd", "type": "java.lang.String",
                      "description": "Takes a|b or <name>,\\n on *two* lines." },
                    { "name": "demo.old", "type": "java.lang.Integer", "description": "Old.", "defaultValue": 3,
                      "deprecation": { "reason": "Replaced.", "replacement": "demo.timeout" } },
                    { "name": "other.thing.enabled", "type": "java.lang.Boolean", "description": "Whether to.",
                      "defaultValue": true }
                  ],
                  "hints": [ { "name": "demo.mode", "values": [ { "value": "fast" }, { "value": "safe" } ] } ]
                }
                """;

        String page = ConfigurationReference.render(metadata, "./regenerate");

        assertThat(page).startsWith(ConfigurationReference.TITLE).contains("./regenerate").contains(": 8 properties.");
        assertThat(page.indexOf("## `demo`")).isPositive().isLessThan(page.indexOf("## `demo.inner`"));
        assertThat(page.indexOf("## `demo.inner`")).isLessThan(page.indexOf("## `other.thing`"));
        assertThat(page.lines()).contains(
                "| `demo.timeout` | `Duration` | `2s` | How long. |",
                "| `demo.servers` | `List<String>` | `a:1`, `b:2` | Servers. |",
                "| `demo.pools` | `Map<String, Pool>` | empty | Pools. |",
                "| `demo.inner.unit` | `TimeUnit` | `seconds` | Unit. One of `nanoseconds`, `microseconds`, "
                        + "`milliseconds`, `seconds`, `minutes`, `hours`, `days`. |",
                "| `demo.mode` | `String` | — | Mode. One of `fast`, `safe`. |",
                "| `demo.odd` | `String` | — | Takes a\\|b or &lt;name&gt;, on \\*two\\* lines. |",
                "| `demo.old` | `Integer` | `3` | **Deprecated**: Replaced. Use `demo.timeout`. Old. |",
                "| `other.thing.enabled` | `Boolean` | `true` | Whether to. |");
        // the inner group's property is in its own section, not in demo's
        String demoSection = page.substring(page.indexOf("## `demo`"), page.indexOf("## `demo.inner`"));
        assertThat(demoSection).doesNotContain("demo.inner.unit");
    }

    private static String firstDifference(String committed, String rendered) {
        List<String> was = committed.lines().toList();
        List<String> now = rendered.lines().toList();
        for (int i = 0; i < Math.max(was.size(), now.size()); i++) {
            String before = i < was.size() ? was.get(i) : "(end of page)";
            String after = i < now.size() ? now.get(i) : "(end of page)";
            if (!before.equals(after)) {
                return "from line " + (i + 1) + ": the page has\n  " + before + "\nwhere the metadata gives\n  " + after;
            }
        }
        return "in its line endings";
    }
}
