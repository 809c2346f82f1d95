package io.connpool.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports a bad {@code connpool.*} value at start-up: the property the user set, the value of the source
 * that won (command line, environment, a file), where it was set, what is wrong and how to fix it. Runs
 * before Boot's generic analyzer for invalid property values.
 */
final class ConnPoolFailureAnalyzer extends AbstractFailureAnalyzer<ConnPoolConfigurationException>
        implements Ordered {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConnPoolConfigurationException cause) {
        String origin = cause.getOrigin() != null ? " (set in " + cause.getOrigin() + ")" : " (not set)";
        String description = "Invalid value '" + cause.getValue() + "' for configuration property '" + cause.getName()
                + "'" + origin + ": " + cause.getReason();
        return new FailureAnalysis(description.endsWith(".") ? description : description + ".", cause.getAction(),
                cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
