package io.connpool.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports an unknown key under {@code connpool.} (a misspelling) with its origin and the key it most likely
 * meant, rather than Boot's generic "Update your application's configuration".
 */
final class UnknownKeyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
        implements Ordered {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
        StringBuilder description = new StringBuilder();
        List<String> fixes = new ArrayList<>();
        for (ConfigurationProperty property : cause.getUnboundProperties()) {
            String name = property.getName().toString();
            if (!name.startsWith("connpool.")) {
                return null;
            }
            description.append(description.isEmpty() ? "" : "\n").append("Unknown configuration property '")
                    .append(name).append("' (set in ").append(property.getOrigin()).append("): connpool has no such key.");
            fixes.add("Rename " + name + " to " + closest(name) + ", or remove it.");
        }
        return new FailureAnalysis(description.toString(), String.join("\n", fixes)
                + "\nThe keys of connpool.* and connpool.pools.<name>.* are " + keys() + ".", cause);
    }

    /** The known property nearest to {@code name} by edit distance, with the same prefix. */
    static String closest(String name) {
        String prefix = name.startsWith("connpool.pools.") && name.split("\\.").length > 3
                ? name.substring(0, name.indexOf('.', "connpool.pools.".length()) + 1) : "connpool.";
        String key = name.substring(prefix.length());
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : knownKeys(prefix)) {
            int distance = distance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return prefix + best;
    }

    private static List<String> knownKeys(String prefix) {
        List<String> keys = new ArrayList<>(PoolSettings.KEYS.stream().map(PoolSettings::kebab).toList());
        if (prefix.equals("connpool.")) {
            keys.add("pools.<name>.servers");
        }
        return keys;
    }

    private static String keys() {
        return PoolSettings.KEYS.stream().map(PoolSettings::kebab).toList().toString();
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
