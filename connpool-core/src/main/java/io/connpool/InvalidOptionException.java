package io.connpool;

/**
 * An option given to {@link ConnPool.Builder} or {@link ManagedConnection.Builder} is invalid. Thrown by
 * {@code build()} and {@code validate()} before anything starts; the message names the option, the value and
 * the fix, and {@link #option()} lets a framework report it under its own name for the option (Spring Boot
 * reports {@code connpool.pools.billing.dial-timeout} for {@code dialTimeout}).
 */
public final class InvalidOptionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The builder option at fault, as its method is named. */
    private final String option;
    private final transient Object value;

    /**
     * Creates the exception.
     *
     * @param option the builder option at fault, as its method is named (for example {@code dialTimeout})
     * @param value the rejected value, may be {@code null}
     * @param message what is wrong and how to fix it
     */
    public InvalidOptionException(String option, Object value, String message) {
        super(message);
        this.option = option;
        this.value = value;
    }

    /**
     * Returns the builder option at fault, named as its builder method ({@code dialTimeout},
     * {@code servers}, ...). For a rule between two options it is the one to change first (for
     * {@code retryMin > retryMax}, {@code retryMin}).
     *
     * @return the option's name
     */
    public String option() {
        return option;
    }

    /**
     * Returns the rejected value as the builder received it.
     *
     * @return the value, may be {@code null}
     */
    public Object value() {
        return value;
    }
}
