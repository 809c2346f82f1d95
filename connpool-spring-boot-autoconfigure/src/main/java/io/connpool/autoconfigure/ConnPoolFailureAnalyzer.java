package io.connpool.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Reports a bad {@code connpool.*} value at start-up: the property, its value, where it was set, why it is
 * wrong and how to fix it. Runs before Boot's generic analyzer for invalid property values.
 */
final class ConnPoolFailureAnalyzer extends AbstractFailureAnalyzer<ConnPoolConfigurationException>
        implements Ordered {

    private final Environment environment;

    ConnPoolFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConnPoolConfigurationException cause) {
        String description = "Invalid value '" + value(cause) + "' for configuration property '" + cause.getName()
                + "'" + origin(cause.getName()) + ": " + cause.getReason() + ".";
        return new FailureAnalysis(description, cause.getAction(), cause);
    }

    /** The value as the user wrote it (5m rather than PT5M), when the environment has it. */
    private Object value(ConnPoolConfigurationException cause) {
        String raw = environment != null ? environment.getProperty(cause.getName()) : null;
        return raw != null ? raw : cause.getValue();
    }

    /** Where the value was set, for example a line of application.yml, if the environment knows. */
    private String origin(String property) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return "";
        }
        for (PropertySource<?> source : configurable.getPropertySources()) {
            if (source.containsProperty(property)) {
                Origin origin = OriginLookup.getOrigin(source, property);
                return " (set in " + (origin != null ? origin : source.getName()) + ")";
            }
        }
        return "";
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
