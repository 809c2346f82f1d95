package io.connpool.autoconfigure.observation;

import io.connpool.AcquireTimeoutException;
import io.connpool.NoServerAvailableException;
import io.connpool.PoolClosedException;
import io.connpool.PoolExhaustedException;
import io.connpool.RateLimitedException;
import io.connpool.ServerAddress;
import io.micrometer.observation.Observation;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;

/**
 * What one observed pool operation knows: the pool, the server (once known) and how it ended. The
 * observation's name is its {@link Operation}'s.
 */
public class ConnPoolObservationContext extends Observation.Context {

    /** The operations connpool observes. */
    public enum Operation {
        /** Borrowing a connection, waiting and dialing included: {@code connpool.acquire}. */
        ACQUIRE("connpool.acquire"),
        /** Opening a connection, TLS handshake included: {@code connpool.dial}. */
        DIAL("connpool.dial"),
        /** Running a callback on a borrowed connection: {@code connpool.execute}. */
        EXECUTE("connpool.execute");

        private final String observationName;

        Operation(String observationName) {
            this.observationName = observationName;
        }

        /**
         * Returns the observation's name.
         *
         * @return for example {@code connpool.acquire}
         */
        public String observationName() {
            return observationName;
        }
    }

    /** Outcome of an operation that succeeded. */
    public static final String SUCCESS = "success";

    private final Operation operation;
    private final String pool;
    private volatile ServerAddress server;
    private volatile String outcome = "unknown";
    private volatile int attempts;

    /**
     * Creates the context of one operation.
     *
     * @param operation what is observed
     * @param pool the pool's name
     * @param server the server, if known at the start ({@code null} for an acquire)
     */
    public ConnPoolObservationContext(Operation operation, String pool, ServerAddress server) {
        this.operation = operation;
        this.pool = pool;
        this.server = server;
        setName(operation.observationName());
    }

    /**
     * Returns what is observed.
     *
     * @return the operation
     */
    public Operation getOperation() {
        return operation;
    }

    /**
     * Returns the pool's name.
     *
     * @return the name
     */
    public String getPool() {
        return pool;
    }

    /**
     * Returns the server the operation went to.
     *
     * @return the server, or {@code null} while not known (an acquire that has not found one)
     */
    public ServerAddress getServer() {
        return server;
    }

    /**
     * Sets the server the operation went to.
     *
     * @param server the server
     */
    public void setServer(ServerAddress server) {
        this.server = server;
    }

    /**
     * Records that an execute ran its callback on a connection to this server: twice when
     * {@code executeIdempotent} retried.
     *
     * @param server the connection's server
     */
    public void attempted(ServerAddress server) {
        setServer(server);
        attempts++;
    }

    /**
     * Returns how many connections an execute ran its callback on: 1, or 2 after a retry; 0 for the other
     * operations, or when no connection could be borrowed.
     *
     * @return the attempts
     */
    public int getAttempts() {
        return attempts;
    }

    /**
     * Returns how the operation ended: {@link #SUCCESS}, {@code timeout}, {@code no-server},
     * {@code rate-limited}, {@code exhausted}, {@code closed}, {@code interrupted} or {@code error};
     * {@code unknown} while it runs.
     *
     * @return the outcome
     */
    public String getOutcome() {
        return outcome;
    }

    /**
     * Sets how the operation ended.
     *
     * @param outcome the outcome
     */
    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }

    /**
     * Records a failure: its outcome from the exception's type, and the exception itself.
     *
     * @param failure what the operation threw
     */
    public void failed(Throwable failure) {
        setOutcome(outcomeOf(failure));
        setError(failure);
    }

    /** A few values, so that the outcome stays a low-cardinality key. */
    static String outcomeOf(Throwable failure) {
        if (failure instanceof AcquireTimeoutException || failure instanceof SocketTimeoutException) {
            return "timeout";
        }
        if (failure instanceof NoServerAvailableException) {
            return "no-server";
        }
        if (failure instanceof RateLimitedException) {
            return "rate-limited";
        }
        if (failure instanceof PoolExhaustedException) {
            return "exhausted";
        }
        if (failure instanceof PoolClosedException) {
            return "closed";
        }
        if (failure instanceof InterruptedIOException) {
            return "interrupted";
        }
        return "error";
    }
}
