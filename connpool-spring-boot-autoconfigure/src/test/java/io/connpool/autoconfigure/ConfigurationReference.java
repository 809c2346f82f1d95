package io.connpool.autoconfigure;

import com.jayway.jsonpath.JsonPath;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Renders {@code docs/configuration.md} from Spring Boot configuration metadata ({@code
 * META-INF/spring-configuration-metadata.json}, which the configuration processor merges with {@code
 * additional-spring-configuration-metadata.json}). Nothing here knows a property: every row comes from the
 * metadata, so new keys appear when the page is regenerated ({@link ConfigurationReferenceTests} says how).
 *
 * <p>Sections follow the metadata's groups (a property goes to the longest group its name starts with, else to
 * its own prefix); each row gives the name, the type without package names, the default and the description,
 * plus the allowed values of an enum type or of a value hint, and any deprecation.
 */
final class ConfigurationReference {

    static final String TITLE = "# Configuration reference";

    private static final Pattern PACKAGE = Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+");

    private static final Pattern OUTER_CLASS = Pattern.compile("\\b[A-Z][A-Za-z0-9_]*\\$");

    private ConfigurationReference() {
    }

    /**
     * Renders the page.
     *
     * @param metadataJson the content of {@code spring-configuration-metadata.json}
     * @param regenerate the command that regenerates the page, quoted at its top
     * @return the Markdown page
     */
    static String render(String metadataJson, String regenerate) {
        List<Map<String, Object>> properties = JsonPath.read(metadataJson, "$.properties[*]");
        List<Map<String, Object>> groups = JsonPath.read(metadataJson, "$.groups[*]");
        List<Map<String, Object>> hints = JsonPath.read(metadataJson, "$.hints[*]");
        List<String> groupNames = groups.stream().map(group -> (String) group.get("name")).toList();

        Map<String, List<Map<String, Object>>> sections = new TreeMap<>();
        for (Map<String, Object> property : properties) {
            sections.computeIfAbsent(section((String) property.get("name"), groupNames), key -> new ArrayList<>())
                    .add(property);
        }

        StringBuilder page = new StringBuilder();
        page.append(TITLE).append("\n\n");
        page.append("<!-- Generated from the starter's configuration metadata; do not edit by hand. Regenerate with\n");
        page.append("     ").append(regenerate).append(" -->\n\n");
        page.append("Every property of `connpool-spring-boot-autoconfigure`, as its configuration metadata ")
                .append("(`META-INF/spring-configuration-metadata.json`, what IDEs complete from) describes it: ")
                .append(properties.size()).append(" properties. Durations take Spring Boot's forms ")
                .append("(`500ms`, `2s`, `1m`, or ISO-8601 `PT2S`).\n");
        sections.forEach((section, members) -> {
            page.append("\n## `").append(section).append("`\n\n");
            page.append("| Property | Type | Default | Description |\n");
            page.append("|---|---|---|---|\n");
            members.stream().sorted(Comparator.comparing(property -> (String) property.get("name")))
                    .forEach(property -> page.append(row(property, hints)).append('\n'));
        });
        return page.toString();
    }

    /** The longest group the property belongs to, or the property's own prefix when none does. */
    private static String section(String name, Collection<String> groups) {
        return groups.stream().filter(group -> name.startsWith(group + "."))
                .max(Comparator.comparingInt(String::length))
                .orElseGet(() -> name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name);
    }

    private static String row(Map<String, Object> property, List<Map<String, Object>> hints) {
        String name = (String) property.get("name");
        String type = (String) property.get("type");
        return "| `" + name + "` | " + (type != null ? "`" + simpleType(type) + "`" : "") + " | "
                + defaultValue(property.get("defaultValue")) + " | " + description(property, type, hints) + " |";
    }

    /** {@code java.util.Map<java.lang.String,a.b.Outer$Inner>} becomes {@code Map<String, Inner>}. */
    static String simpleType(String type) {
        String simple = PACKAGE.matcher(type).replaceAll("");
        simple = OUTER_CLASS.matcher(simple).replaceAll("");
        return simple.replaceAll(",\\s*", ", ");
    }

    static String defaultValue(Object value) {
        if (value == null) {
            return "—";
        }
        if (value instanceof Collection<?> list) {
            return list.isEmpty() ? "empty"
                    : list.stream().map(item -> "`" + cell(String.valueOf(item)) + "`").collect(Collectors.joining(", "));
        }
        if (value instanceof Map<?, ?> map) {
            return map.isEmpty() ? "empty" : "`" + cell(map.toString()) + "`";
        }
        return "`" + cell(String.valueOf(value)) + "`";
    }

    private static String description(Map<String, Object> property, String type, List<Map<String, Object>> hints) {
        List<String> parts = new ArrayList<>();
        Object deprecation = property.get("deprecation");
        if (deprecation != null || Boolean.TRUE.equals(property.get("deprecated"))) {
            Map<?, ?> info = deprecation instanceof Map<?, ?> map ? map : Map.of();
            StringBuilder text = new StringBuilder("**Deprecated**");
            if (info.get("reason") != null) {
                text.append(": ").append(info.get("reason"));
            }
            if (info.get("replacement") != null) {
                text.append(" Use `").append(info.get("replacement")).append("`.");
            }
            parts.add(text.toString());
        }
        Object text = property.get("description");
        if (text != null) {
            parts.add(escape(String.valueOf(text)));
        }
        List<String> values = allowedValues((String) property.get("name"), type, hints);
        if (!values.isEmpty()) {
            parts.add("One of " + values.stream().map(value -> "`" + value + "`")
                    .collect(Collectors.joining(", ")) + ".");
        }
        return cell(String.join(" ", parts));
    }

    /** The values of a value hint for the property, else the constants of an enum type, in kebab case. */
    private static List<String> allowedValues(String name, String type, List<Map<String, Object>> hints) {
        for (Map<String, Object> hint : hints) {
            if (name.equals(hint.get("name")) && hint.get("values") instanceof List<?> values && !values.isEmpty()) {
                return values.stream().map(value -> ((Map<?, ?>) value).get("value")).filter(Objects::nonNull)
                        .map(String::valueOf).toList();
            }
        }
        Class<?> enumType = enumType(type);
        if (enumType == null) {
            return List.of();
        }
        return Stream.of(enumType.getEnumConstants())
                .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    }

    private static Class<?> enumType(String type) {
        if (type == null || type.contains("<")) {
            return null;
        }
        try {
            Class<?> candidate = Class.forName(type, false, ConfigurationReference.class.getClassLoader());
            return candidate.isEnum() ? candidate : null;
        }
        catch (ClassNotFoundException | LinkageError notOnTheClassPath) {
            return null;
        }
    }

    /** Markdown would read {@code <x>} as HTML and a pair of {@code *} as emphasis. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*");
    }

    /** One table cell: one line, no column break. */
    static String cell(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").replace("|", "\\|");
    }
}
