package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.connpool.test.MockTcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * "0 B of garbage per call beyond the frame itself": the bytes this thread allocates per {@link Framing}
 * round trip against a real loopback server, measured with {@code ThreadMXBean.getThreadAllocatedBytes}
 * over many calls, minus the reply frame (a {@code String} and its {@code byte[]}, or the {@code byte[]}).
 * A per-call {@code BufferedReader} or working buffer would cost kilobytes per call; the bound leaves 8 B
 * per call for the rare allocation of the JIT or the JDK on this thread. Numbers are printed to the test's
 * output file.
 */
class FramingAllocationTest {

    private static final int WARM_UP = 3_000;
    private static final int CALLS = 5_000;
    private static final int SLACK_PER_CALL = 8;

    private final MockTcpServer server = MockTcpServer.start(); // echoes each line

    @AfterEach
    void close() {
        server.close();
    }

    private static com.sun.management.ThreadMXBean threads() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean sun && sun.isThreadAllocatedMemorySupported(),
                "this JVM cannot count the bytes a thread allocates");
        return (com.sun.management.ThreadMXBean) bean;
    }

    interface Call {
        Object run() throws IOException;
    }

    /** Bytes allocated by this thread per call, after a warm-up. */
    private static double bytesPerCall(String what, Call call) throws IOException {
        com.sun.management.ThreadMXBean threads = threads();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < WARM_UP; i++) {
            call.run();
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < CALLS; i++) {
            call.run();
        }
        double perCall = (threads.getThreadAllocatedBytes(id) - before) / (double) CALLS;
        System.out.printf("%s: %.1f bytes allocated per call%n", what, perCall);
        return perCall;
    }

    /** The heap size of a Latin-1 {@code String} of this many characters and its array (compressed oops). */
    private static long stringBytes(int length) {
        return 24 + arrayBytes(length);
    }

    private static long arrayBytes(int length) {
        return (16 + length + 7) / 8 * 8;
    }

    @Test
    void aLineRoundTripOnRawSocketStreamsAllocatesOnlyTheReply() throws IOException {
        Framing<String> lines = Framing.lines(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            double perCall = bytesPerCall("Framing.lines write+read, raw socket streams", () -> {
                lines.write(out, "GET 42");
                return lines.read(in);
            });
            assertThat(perCall).isLessThanOrEqualTo(stringBytes(6) + SLACK_PER_CALL);
        }
    }

    @Test
    void callOnAPooledConnectionAllocatesOnlyTheReplyFrame() throws Exception {
        Framing<String> lines = Framing.lines(StandardCharsets.UTF_8);
        try (ConnPool pool = ConnPool.builder().servers(server.address()).readTimeout(Duration.ofSeconds(10)).build();
                PooledConnection c = pool.acquire()) {
            double perCall = bytesPerCall("Framing.lines.call, pooled connection", () -> lines.call(c, "GET 42"));
            assertThat(perCall).isLessThanOrEqualTo(stringBytes(6) + SLACK_PER_CALL);
        }
    }

    @Test
    void aLengthPrefixedCallAllocatesOnlyTheReplyArray() throws Exception {
        Framing<byte[]> framing = Framing.lengthPrefixed(4);
        server.handler(framing, request -> request);
        byte[] request = "GET 42".getBytes(StandardCharsets.US_ASCII);
        try (ConnPool pool = ConnPool.builder().servers(server.address()).readTimeout(Duration.ofSeconds(10)).build();
                PooledConnection c = pool.acquire()) {
            double perCall = bytesPerCall("Framing.lengthPrefixed(4).call, pooled connection",
                    () -> framing.call(c, request));
            assertThat(perCall).isLessThanOrEqualTo(arrayBytes(6) + SLACK_PER_CALL);
        }
    }
}
