package io.connpool.benchmarks.readtimeout;

import static org.assertj.core.api.Assertions.assertThat;

import io.connpool.benchmarks.EchoServers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The read-timeout prototypes the benchmarks compare must keep the contract a pool relies on, or their numbers
 * mean nothing: bytes come back intact, and a read with no answer fails with a timeout close to its bound and
 * leaves the connection closed for good.
 */
class ReadTimeoutOptionsTest {

    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(200);

    @ParameterizedTest
    @EnumSource(ReadTimeoutOption.class)
    void echoesEveryByteBack(ReadTimeoutOption option) throws Exception {
        AutoCloseable watchdog = option.newWatchdog(TIMEOUT);
        try (EchoServers server = EchoServers.single();
                TimedConnection connection = option.open(server.address(0), TIMEOUT, watchdog)) {
            byte[] request = new byte[1000];
            for (int round = 0; round < 20; round++) {
                Arrays.fill(request, (byte) round);
                connection.output().write(request);
                assertThat(readFully(connection.input(), request.length)).isEqualTo(request);
            }
            assertThat(connection.isUsable()).isTrue();
        }
        finally {
            if (watchdog != null) {
                watchdog.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ReadTimeoutOption.class, names = {"NONE_CHANNEL", "NONE_PLAIN"},
            mode = EnumSource.Mode.EXCLUDE)
    void aReadWithNoAnswerTimesOutNearItsBoundAndClosesTheConnection(ReadTimeoutOption option) throws Exception {
        // 4 connections at once, so a watchdog serves several deadlines; a loaded CI machine may add a second
        TimeoutCheck.Result result = TimeoutCheck.check(option, TIMEOUT, 4, 1, TimeUnit.SECONDS.toNanos(1));

        assertThat(result.failures()).isEmpty();
        assertThat(result.earliestNanos()).isGreaterThanOrEqualTo(TIMEOUT);
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] reply = new byte[length];
        int read = 0;
        while (read < length) {
            int n = in.read(reply, read, length - read);
            assertThat(n).as("bytes read after %d of %d", read, length).isPositive();
            read += n;
        }
        return reply;
    }
}
