package io.connpool.autoconfigure;

import io.connpool.Dialer;
import io.connpool.ServerAddress;
import io.connpool.autoconfigure.observation.ConnPoolObservationContext;
import io.connpool.autoconfigure.observation.ConnPoolObservationContext.Operation;
import io.connpool.autoconfigure.observation.ConnPoolObservationConvention;
import io.connpool.autoconfigure.observation.DefaultConnPoolObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/** Observes one pool's operations in the application's {@link ObservationRegistry}. */
final class PoolObservations {

    private final ObservationRegistry registry;
    private final ConnPoolObservationConvention convention;
    private final String pool;

    /**
     * @param convention the application's convention, or {@code null} for the default
     */
    PoolObservations(ObservationRegistry registry, ConnPoolObservationConvention convention, String pool) {
        this.registry = registry;
        this.convention = convention;
        this.pool = pool;
    }

    /** Something observed that may fail with an I/O error. */
    interface Call<T> {

        T call(ConnPoolObservationContext context) throws IOException;
    }

    <T> T observe(Operation operation, ServerAddress server, Call<T> call) throws IOException {
        ConnPoolObservationContext context = new ConnPoolObservationContext(operation, pool, server);
        Observation observation = Observation.createNotStarted(convention,
                DefaultConnPoolObservationConvention.INSTANCE, () -> context, registry).start();
        Observation.Scope scope = observation.openScope();
        try {
            T result = call.call(context);
            context.setOutcome(ConnPoolObservationContext.SUCCESS);
            return result;
        }
        catch (IOException | RuntimeException | Error ex) {
            context.failed(ex);
            throw ex;
        }
        finally {
            scope.close();
            observation.stop();
        }
    }

    /** Wraps a dialer so that each dial is a {@code connpool.dial} observation (a child of the acquire that dialed). */
    Dialer observing(Dialer dialer) {
        return new Dialer() {
            @Override
            public Socket dial(ServerAddress server, Duration timeout) throws IOException {
                return observe(Operation.DIAL, server, context -> dialer.dial(server, timeout));
            }

            /** Observed under the address dialed, as the pool's meters name the server. */
            @Override
            public Socket dial(ServerAddress server, java.net.InetAddress address, Duration timeout)
                    throws IOException {
                return observe(Operation.DIAL, new ServerAddress(address.getHostAddress(), server.port()),
                        context -> dialer.dial(server, address, timeout));
            }

            @Override
            public String toString() {
                return dialer.toString();
            }
        };
    }
}
