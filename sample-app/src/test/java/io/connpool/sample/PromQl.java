package io.connpool.sample;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a PromQL expression selects, enough of PromQL's grammar for a dashboard's queries. */
final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

    /** Label matchers, range and subquery brackets: they hold label names and durations, not metrics. */
    private static final Pattern BRACES = Pattern.compile("\\{[^}]*}|\\[[^]]*]");

    /** {@code by (pool, le)}, {@code on (server)}...: label lists. */
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "inf", "nan", "Inf", "NaN");

    /** Grafana's {@code label_values(metric{...}, label)}: the metric is the first argument only. */
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*[a-zA-Z_]\\w*\\s*\\)\\s*$");

    private PromQl() {
    }

    /**
     * Returns the metric names the expression reads.
     *
     * @param expression a PromQL expression, or a Grafana {@code label_values(..)} variable query
     * @return the names, sorted
     */
    static Set<String> metricNames(String expression) {
        Matcher labelValues = LABEL_VALUES.matcher(expression);
        String promql = labelValues.matches() ? labelValues.group(1) : expression;
        promql = STRING.matcher(promql).replaceAll("\"\"");
        promql = BRACES.matcher(promql).replaceAll(" ");
        promql = LABEL_LIST.matcher(promql).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(promql);
        while (identifier.find()) {
            if (!KEYWORDS.contains(identifier.group(1))) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }
}
