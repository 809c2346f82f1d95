package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.test.MockTcpServer;
import io.connpool.test.MockTcpServer.Fault;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Framing#call} through a real pool against a real loopback server ({@link MockTcpServer}, compiled
 * into core's tests from connpool-test): replies, replies in pieces, a server that pipelines two replies,
 * every fault, and what happens to the connection after each.
 */
class FramingCallTest {

    private static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MockTcpServer server = MockTcpServer.start();
    private ConnPool pool = pool(Duration.ofSeconds(10));

    private ConnPool pool(Duration readTimeout) {
        return ConnPool.builder().name("framing").servers(server.address()).minIdlePerServer(0)
                .readTimeout(readTimeout).build();
    }

    @AfterEach
    void close() throws Exception {
        pool.close();
        server.close();
    }

    /** A line framing on the server's side whose replies go out differently; requests are read as usual. */
    private abstract static class ServerLines extends Framing<String> {
        @Override
        public Framing<String> withMaxFrameSize(int bytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int maxFrameSize() {
            return LINES.maxFrameSize();
        }

        @Override
        public String read(InputStream in) throws IOException {
            return LINES.read(in);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts that the connection was discarded: the pool holds none, and the server saw it close. */
    private void assertDiscarded() {
        assertThat(pool.stats().total()).isZero();
        server.awaitOpenConnections(0, WAIT);
    }

    @Test
    void callWritesTheRequestAndReadsOneReply() throws IOException {
        server.handler(line -> "OK " + line);
        try (PooledConnection c = pool.acquire()) {
            assertThat(LINES.call(c, "GET 42")).isEqualTo("OK GET 42");
        }
        assertThat(server.<String>requests()).containsExactly("GET 42");
        assertThat(pool.stats().idle()).isEqualTo(1); // a clean exchange leaves the connection reusable
    }

    @Test
    void callsInARowOnOneConnectionEachGetTheirOwnReply() throws IOException {
        server.handler(line -> "reply to " + line + " " + "x".repeat(line.length() * 7));
        try (PooledConnection c = pool.acquire()) {
            for (int i = 0; i < 500; i++) {
                String request = "request " + i;
                assertThat(LINES.call(c, request)).startsWith("reply to " + request + " ");
            }
        }
        assertThat(server.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void aReplyThatArrivesInManyPiecesIsAssembled() throws IOException {
        server.handler(new ServerLines() {
            @Override
            public void write(OutputStream out, String reply) throws IOException {
                for (byte b : utf8(reply + "\r\n")) {
                    out.write(b); // a segment per byte: MockTcpServer's sockets have TCP_NODELAY
                    out.flush();
                }
            }
        }, line -> "slowly " + line);
        try (PooledConnection c = pool.acquire()) {
            assertThat(LINES.call(c, "é")).isEqualTo("slowly é");
            assertThat(LINES.call(c, "again")).isEqualTo("slowly again");
        }
    }

    @Test
    void aServerThatSendsTwoRepliesToOneRequestIsCaughtAndNoCallEverReadsTheStaleOne() throws IOException {
        server.handler(new ServerLines() {
            @Override
            public void write(OutputStream out, String reply) throws IOException {
                out.write(utf8(reply + "\n" + "stale " + reply + "\n")); // both in one segment
            }
        }, line -> "reply to " + line);
        for (int i = 0; i < 3; i++) {
            try (PooledConnection c = pool.acquire()) {
                String request = "request " + i;
                assertThatThrownBy(() -> LINES.call(c, request)).isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("Line frame from server " + server.address() + " was followed by "
                                + ("stale reply to " + request + "\n").length() + " more bytes")
                        .hasMessageContaining("the connection must be discarded");
            }
            assertDiscarded();
        }
        assertThat(server.acceptedConnections()).isEqualTo(3); // a new connection each time, never the dirty one

        // the same two replies read from a buffered stream are both read, exactly, for a client that wants them
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            LINES.write(socket.getOutputStream(), "x");
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertThat(LINES.read(in)).isEqualTo("reply to x");
            assertThat(LINES.read(in)).isEqualTo("stale reply to x");
        }
    }

    @Test
    void lengthPrefixedFramesGoBothWays() throws IOException {
        Framing<byte[]> framing = Framing.lengthPrefixed(2);
        server.handler(framing, request -> {
            byte[] reversed = new byte[request.length];
            for (int i = 0; i < request.length; i++) {
                reversed[i] = request[request.length - 1 - i];
            }
            return reversed;
        });
        byte[] large = new byte[65_535];
        large[0] = 1;
        try (PooledConnection c = pool.acquire()) {
            assertThat(framing.call(c, new byte[] {1, 2, 3})).containsExactly(3, 2, 1);
            assertThat(framing.call(c, new byte[0])).isEmpty();
            assertThat(framing.call(c, large)[65_534]).isEqualTo((byte) 1);
        }
    }

    @Test
    void aServerThatClosesBeforeReplyingIsAnEndOfStreamNamingItAndTheConnectionIsDiscarded() throws IOException {
        server.fault(Fault.CLOSE);
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.call(c, "GET 1")).isInstanceOf(EOFException.class)
                    .hasMessageContaining("server " + server.address() + " closed the connection before sending a line"
                            + " frame");
        }
        assertDiscarded();
    }

    @Test
    void aTruncatedReplySaysHowMuchArrivedAndTheConnectionIsDiscarded() throws IOException {
        server.handler(new ServerLines() {
            @Override
            public void write(OutputStream out, String reply) throws IOException {
                out.write(utf8(reply));
                out.flush();
                throw new IOException("the server dies mid-reply"); // MockTcpServer closes the connection
            }
        }, line -> "half");
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.call(c, "GET 1")).isInstanceOf(EOFException.class)
                    .hasMessageContaining("Truncated line frame: server " + server.address())
                    .hasMessageContaining("after 4 bytes of a line");
        }
        assertDiscarded();
    }

    @Test
    void aReplyOverTheMaximumFailsNamingBothSizesAndTheConnectionIsDiscarded() throws IOException {
        server.handler(line -> "x".repeat(100));
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.withMaxFrameSize(10).call(c, "GET 1")).isInstanceOf(IOException.class)
                    .hasMessageContaining("Line frame from server " + server.address()
                            + " is over the maximum frame size of 10 bytes: 12 bytes arrived");
        }
        assertDiscarded();
    }

    @Test
    void garbageBeforeALengthPrefixedReplyIsALengthOverTheMaximumAndTheConnectionIsDiscarded() throws IOException {
        server.handler(Framing.lengthPrefixed(4), request -> request).fault(Fault.GARBAGE);
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> Framing.lengthPrefixed(4).call(c, new byte[] {1})).isInstanceOf(IOException.class)
                    .hasMessageContaining("from server " + server.address() + " announces 4294967295 bytes, over the"
                            + " maximum frame size of 1048576 bytes");
        }
        assertDiscarded();
    }

    @Test
    void aResetIsASocketExceptionAndTheConnectionIsDiscarded() throws IOException {
        server.fault(Fault.RESET);
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.call(c, "GET 1")).isInstanceOf(SocketException.class);
        }
        assertDiscarded();
    }

    @Test
    void aServerThatNeverAnswersEndsAtTheReadTimeoutAndTheConnectionIsDiscarded() throws Exception {
        pool.close();
        pool = pool(Duration.ofMillis(200));
        server.fault(Fault.HANG);
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.call(c, "GET 1")).isInstanceOf(SocketTimeoutException.class);
        }
        assertDiscarded();
    }

    @Test
    void aRequestTheFramingRefusesIsNotSentAndTheConnectionStaysUsable() throws IOException {
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.call(c, "GET 1\nGET 2")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> LINES.withMaxFrameSize(3).call(c, "GET 1"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nothing was written");
            assertThat(LINES.call(c, "still fine")).isEqualTo("still fine");
        }
        assertThat(server.<String>requests()).containsExactly("still fine");
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void aConnectionCallbackIsAFunctionOfTheBorrowedConnection() throws IOException {
        ConnectionCallback<String> get = c -> LINES.call(c, "GET " + c.server().port());
        try (PooledConnection c = pool.acquire()) {
            assertThat(get.doInConnection(c)).isEqualTo("GET " + server.port());
        }
    }

    @Test
    void nullsAreRefusedByName() throws IOException {
        assertThatThrownBy(() -> LINES.call(null, "x")).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("connection");
        try (PooledConnection c = pool.acquire()) {
            assertThatThrownBy(() -> LINES.call(c, null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("request");
        }
    }
}
