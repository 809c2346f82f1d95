package io.connpool.autoconfigure;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * A {@code connpool.*} property has a value the pool cannot work with. Carries the fix, which
 * {@link ConnPoolFailureAnalyzer} reports as the action.
 */
final class ConnPoolConfigurationException extends InvalidConfigurationPropertyValueException {

    private final String action;

    ConnPoolConfigurationException(String property, Object value, String reason, String action) {
        this(property, value, reason, action, null);
    }

    ConnPoolConfigurationException(String property, Object value, String reason, String action, Throwable cause) {
        super(property, value, reason, cause);
        this.action = action;
    }

    String getAction() {
        return action;
    }
}
