package io.connpool.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags connpool's observations; declare a bean of this type to replace
 * {@link DefaultConnPoolObservationConvention} for every auto-configured pool. Leave {@link #getName()}
 * {@code null} to keep each operation's own name ({@code connpool.acquire}, {@code connpool.dial}).
 */
public interface ConnPoolObservationConvention extends ObservationConvention<ConnPoolObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof ConnPoolObservationContext;
    }
}
