package io.connpool.autoconfigure;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.origin.Origin;

/**
 * A {@code connpool.*} property has a value the pool cannot work with. Carries where the value that won was
 * set and the fix, which {@link ConnPoolFailureAnalyzer} reports.
 */
final class ConnPoolConfigurationException extends InvalidConfigurationPropertyValueException {

    private static final long serialVersionUID = 1L;

    private final transient Origin origin;
    private final String action;

    /**
     * @param property the property the user set (or should set)
     * @param value the value as the winning source holds it
     * @param origin where that value was set, {@code null} if not set in any property source
     * @param reason what is wrong
     * @param action how to fix it
     */
    ConnPoolConfigurationException(String property, Object value, Origin origin, String reason, String action) {
        this(property, value, origin, reason, action, null);
    }

    ConnPoolConfigurationException(String property, Object value, Origin origin, String reason, String action,
            Throwable cause) {
        super(property, value, reason, cause);
        this.origin = origin;
        this.action = action;
    }

    Origin getOrigin() {
        return origin;
    }

    String getAction() {
        return action;
    }
}
