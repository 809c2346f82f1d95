package io.connpool.autoconfigure.observation;

import io.micrometer.common.KeyValues;

/**
 * The default convention: low-cardinality keys {@code pool}, {@code server} ({@code host:port}, or
 * {@code none} while not known) and {@code outcome}, and for {@code connpool.execute} also {@code retried}
 * ({@code true} when {@code executeIdempotent} sent the request a second time); no high-cardinality key.
 */
public class DefaultConnPoolObservationConvention implements ConnPoolObservationConvention {

    /** The shared instance. */
    public static final DefaultConnPoolObservationConvention INSTANCE = new DefaultConnPoolObservationConvention();

    @Override
    public KeyValues getLowCardinalityKeyValues(ConnPoolObservationContext context) {
        KeyValues keys = KeyValues.of("pool", context.getPool(), "server",
                context.getServer() != null ? context.getServer().toString() : "none", "outcome", context.getOutcome());
        return context.getOperation() == ConnPoolObservationContext.Operation.EXECUTE
                ? keys.and("retried", Boolean.toString(context.getAttempts() > 1)) : keys;
    }

    @Override
    public String getContextualName(ConnPoolObservationContext context) {
        return context.getOperation().name().toLowerCase(java.util.Locale.ROOT) + " " + context.getPool();
    }
}
