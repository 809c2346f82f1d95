package io.connpool.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured: JMH's results ({@code -rf json}) and the side results the harness wrote
 * (JSON Lines: CPU time per operation, acquire-latency percentiles, timeout checks).
 */
final class Results {

    private static final String PKG = "io.connpool.benchmarks.";

    /**
     * One JMH score. A group's member (e.g. {@code ServerListChangeBenchmark.traffic:borrow}) is a result of its
     * own. {@code percentiles} holds sample-time percentiles ("50.0", "99.9", "100.0"), empty otherwise.
     */
    record Result(String benchmark, Map<String, String> params, int threads, String jdk, double score,
            double error, String unit, double allocPerOp, double allocError, Map<String, Double> percentiles) {

        String paramText() {
            List<String> parts = new ArrayList<>();
            params.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(", ", parts);
        }

        double percentile(String p) {
            return percentiles.getOrDefault(p, Double.NaN);
        }
    }

    final List<Result> jmh = new ArrayList<>();
    final List<Map<String, Object>> side = new ArrayList<>();

    static Results read(List<Path> files) throws IOException {
        Results results = new Results();
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (file.toString().endsWith(".jsonl")) {
                results.readSide(file, text);
            }
            else {
                results.readJmh(file, text);
            }
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    private void readSide(Path file, String text) {
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                Object parsed = Json.parse(line);
                if (!(parsed instanceof Map<?, ?>)) {
                    throw new IllegalArgumentException(file + ": a side result is not a JSON object: " + line);
                }
                side.add((Map<String, Object>) parsed);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void readJmh(Path file, String text) {
        Object parsed = Json.parse(text);
        if (!(parsed instanceof List<?> rows)) {
            throw new IllegalArgumentException(file + " is not a JMH JSON result (expected an array)");
        }
        for (Object row : rows) {
            Map<String, Object> r = (Map<String, Object>) row;
            String benchmark = ((String) r.get("benchmark")).replace(PKG, "");
            Map<String, String> params = new LinkedHashMap<>();
            if (r.get("params") instanceof Map<?, ?> map) {
                map.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            }
            int threads = (int) Json.number(r.get("threads"));
            String jdk = String.valueOf(r.get("jdkVersion"));
            Map<String, Object> primary = (Map<String, Object>) r.get("primaryMetric");
            double alloc = Double.NaN;
            double allocError = Double.NaN;
            Map<String, Object> secondary = r.get("secondaryMetrics") instanceof Map<?, ?> m
                    ? (Map<String, Object>) m : Map.of();
            if (secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm) {
                alloc = Json.number(norm.get("score"));
                allocError = Json.number(norm.get("scoreError"));
            }
            jmh.add(new Result(benchmark, params, threads, jdk, Json.number(primary.get("score")),
                    Json.number(primary.get("scoreError")), String.valueOf(primary.get("scoreUnit")), alloc,
                    allocError, percentiles(primary)));
            // the members of a @Group benchmark: secondary metrics named by method, without ':' or a profiler prefix
            secondary.forEach((name, value) -> {
                if (!name.contains(":") && !name.contains(".") && !name.startsWith("·") && value instanceof Map<?, ?>) {
                    Map<String, Object> metric = (Map<String, Object>) value;
                    jmh.add(new Result(benchmark + ":" + name, params, threads, jdk, Json.number(metric.get("score")),
                            Json.number(metric.get("scoreError")), String.valueOf(metric.get("scoreUnit")), Double.NaN,
                            Double.NaN, percentiles(metric)));
                }
            });
        }
    }

    private static Map<String, Double> percentiles(Map<String, Object> metric) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (metric.get("scorePercentiles") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put(String.valueOf(k), Json.number(v)));
        }
        return out;
    }

    /** The JMH result of {@code benchmark} whose params include all of {@code params} ("k=v"), or null. */
    Result find(String benchmark, String... params) {
        for (Result result : jmh) {
            if (result.benchmark().equals(benchmark) && matches(result.params(), params)) {
                return result;
            }
        }
        return null;
    }

    /** The side results of one kind whose fields include all of {@code fields} ("k=v"). */
    List<Map<String, Object>> side(String kind, String... fields) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> entry : side) {
            if (kind.equals(entry.get("kind")) && matches(entry, fields)) {
                out.add(entry);
            }
        }
        return out;
    }

    /** The last side result of one kind matching {@code fields}, or null (a later run of the same thing wins). */
    Map<String, Object> lastSide(String kind, String... fields) {
        List<Map<String, Object>> all = side(kind, fields);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    private static boolean matches(Map<String, ?> values, String... wanted) {
        for (String pair : wanted) {
            String[] kv = pair.split("=", 2);
            Object value = values.get(kv[0]);
            String text = value instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue())
                    : String.valueOf(value);
            if (!kv[1].equals(text)) {
                return false;
            }
        }
        return true;
    }

    static double number(Map<String, Object> entry, String field) {
        return entry == null ? Double.NaN : Json.number(entry.get(field));
    }
}
