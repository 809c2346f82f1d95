package io.connpool.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code key=value} arguments of a benchmark's {@code main}; a key it does not know is refused up front. */
public final class MainArguments {

    private final Map<String, String> values;

    private MainArguments(Map<String, String> values) {
        this.values = values;
    }

    public static MainArguments parse(String[] args, String... keys) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (!List.of(keys).contains(kv[0])) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; use "
                        + String.join("=, ", keys) + "=");
            }
            values.put(kv[0], kv.length == 2 ? kv[1] : "");
        }
        return new MainArguments(values);
    }

    public String text(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public int integer(String key, int fallback) {
        String value = values.get(key);
        return value == null ? fallback : Integer.parseInt(value);
    }

    public long number(String key, long fallback) {
        String value = values.get(key);
        return value == null ? fallback : Long.parseLong(value);
    }
}
