package io.connpool.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.Framing;
import io.connpool.test.MockTcpServer.Fault;
import io.connpool.testing.TestCertificates;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MockTcpServer against real loopback sockets: serving, every fault, stop/restart, counters, errors. */
class MockTcpServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MockTcpServer server = MockTcpServer.start();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void startsOnAFreeLoopbackPortAndEchoesEachLine() throws IOException {
        assertThat(server.address()).isEqualTo("127.0.0.1:" + server.port());
        assertThat(server.port()).isPositive();
        assertThat(server.isRunning()).isTrue();
        try (Client client = new Client(server)) {
            assertThat(client.call("hello")).isEqualTo("hello");
            assertThat(client.call("grüße €")).isEqualTo("grüße €");
        }
        assertThat(server.<String>requests()).containsExactly("hello", "grüße €");
        assertThat(server.errors()).isEmpty();
    }

    @Test
    void aHandlerAnswersEachLineAndPipelinedLinesAreEachAnsweredInOrder() throws IOException {
        server.handler(line -> "OK " + line);
        try (Client first = new Client(server); Client second = new Client(server)) {
            first.out.write("a\nb\r\nc\n".getBytes(StandardCharsets.UTF_8)); // three requests in one segment
            assertThat(first.readLine()).isEqualTo("OK a");
            assertThat(first.readLine()).isEqualTo("OK b");
            assertThat(first.readLine()).isEqualTo("OK c");
            assertThat(second.call("d")).isEqualTo("OK d");
        }
        assertThat(server.<String>requests()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aNewHandlerAppliesToConnectionsAlreadyOpenAndIdleFromTheirNextRequest() throws IOException {
        try (Client idle = new Client(server)) {
            server.awaitOpenConnections(1, WAIT); // its thread now waits for a request
            server.handler(line -> "v2 " + line);
            assertThat(idle.call("x")).isEqualTo("v2 x");
        }
    }

    @Test
    void aHandlerThatReturnsNullSendsNoReplyAndTheConnectionGoesOn() throws IOException {
        server.handler(line -> line.startsWith("note") ? null : "OK " + line);
        try (Client client = new Client(server)) {
            client.send("note 1");
            assertThat(client.call("get")).isEqualTo("OK get");
        }
    }

    @Test
    void anyFramingIsServedAndItsFramesAreRecorded() throws IOException {
        Framing<byte[]> framing = Framing.lengthPrefixed(4);
        server.handler(framing, request -> new byte[] {(byte) request.length, request[0]});
        try (Client client = new Client(server)) {
            framing.write(client.out, new byte[] {7, 8, 9});
            assertThat(framing.read(client.in)).containsExactly(3, 7);
            framing.write(client.out, new byte[] {42});
            assertThat(framing.read(client.in)).containsExactly(1, 42);
        }
        List<byte[]> requests = server.requests();
        assertThat(requests).satisfiesExactly(r -> assertThat(r).containsExactly(7, 8, 9),
                r -> assertThat(r).containsExactly(42));
    }

    @Test
    void resetReadsTheRequestAndAnswersWithATcpResetOnOpenAndNewConnections() throws IOException {
        try (Client open = new Client(server)) {
            assertThat(open.call("before")).isEqualTo("before");
            server.fault(Fault.RESET);
            open.send("doomed");
            open.assertReset();
            try (Client fresh = new Client(server)) {
                fresh.send("doomed too");
                fresh.assertReset();
            }
        }
        assertThat(server.<String>requests()).containsExactly("before", "doomed", "doomed too");
        server.awaitOpenConnections(0, WAIT);
    }

    @Test
    void aFaultForSomeRequestsActsOnThoseOnlyAndTheOthersAreServed() throws IOException {
        server.handler(line -> "OK " + line);
        try (Client bystander = new Client(server); Client victim = new Client(server)) {
            server.fault(Fault.RESET, "reset"::equals);
            assertThat(bystander.call("hello")).isEqualTo("OK hello");
            assertThat(victim.call("before")).isEqualTo("OK before");
            victim.send("reset");
            victim.assertReset();
            assertThat(bystander.call("still served")).isEqualTo("OK still served");
            server.awaitOpenConnections(1, WAIT); // the victim's, closed on the server's thread
            assertThat(server).hasToString("MockTcpServer[" + server.address() + ", fault RESET on some requests,"
                    + " delay 0 ms, open 1, accepted 2, requests 4, errors 0]");
        }
        try (Client client = new Client(server)) {
            server.<String>fault(Fault.HANG, line -> line.startsWith("slow"));
            client.send("slow one").send("fast one");
            assertThat(client.readLine()).as("the slow one is never answered").isEqualTo("OK fast one");

            server.fault(Fault.GARBAGE, "dirty"::equals); // no unsolicited bytes: only the answer to "dirty"
            assertThat(client.call("clean")).isEqualTo("OK clean");
            client.send("dirty");
            assertThat(client.readBytes(MockTcpServer.GARBAGE.length)).isEqualTo(MockTcpServer.GARBAGE);

            server.fault(Fault.NONE); // ends it for every request
            assertThat(client.call("reset")).isEqualTo("OK reset");
        }
        assertThat(server.<String>requests()).containsExactly("hello", "before", "reset", "still served",
                "slow one", "fast one", "clean", "dirty", "reset");
        assertThat(server.errors()).isEmpty();
    }

    @Test
    void aFaultPredicateThatThrowsClosesThatConnectionOnlyAndIsRecorded() throws IOException {
        server.handler(Framing.lengthPrefixed(1), request -> request);
        server.<String>fault(Fault.CLOSE, line -> line.isEmpty()); // expects lines, but the framing reads byte[]
        try (Client client = new Client(server)) {
            Framing.lengthPrefixed(1).write(client.out, new byte[] {1});
            client.out.flush();
            client.assertEndOfStream();
        }
        server.awaitOpenConnections(0, WAIT);
        assertThat(server.errors()).singleElement().isInstanceOf(ClassCastException.class);
        assertThatThrownBy(() -> server.fault(Fault.RESET, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> server.fault(null, request -> true)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void hangReadsRequestsAndNeverAnswersUntilTheFaultEnds() throws IOException {
        try (Client client = new Client(server)) {
            server.fault(Fault.HANG);
            client.send("one").send("two");
            server.awaitRequests(2, WAIT);
            client.socket.setSoTimeout(200);
            assertThatThrownBy(client::readLine).isInstanceOf(SocketTimeoutException.class);
            assertThat(server.openConnections()).isEqualTo(1);

            server.fault(Fault.NONE);
            client.socket.setSoTimeout(10_000);
            assertThat(client.call("three")).isEqualTo("three"); // the hung requests stay unanswered
        }
        assertThat(server.<String>requests()).containsExactly("one", "two", "three");
    }

    @Test
    void closeReadsARequestAndClosesWithAFinWithoutAnswering() throws IOException {
        server.fault(Fault.CLOSE);
        try (Client client = new Client(server)) {
            client.send("bye?");
            client.assertEndOfStream();
        }
        assertThat(server.<String>requests()).containsExactly("bye?");
        server.awaitOpenConnections(0, WAIT);
    }

    @Test
    void garbageGoesToIdleOpenConnectionsToNewOnesAndAnswersEveryRequest() throws IOException {
        try (Client idle = new Client(server)) {
            server.awaitOpenConnections(1, WAIT); // accepted, so the fault reaches it
            server.fault(Fault.GARBAGE);
            assertThat(idle.readBytes(MockTcpServer.GARBAGE.length)).isEqualTo(MockTcpServer.GARBAGE);
            try (Client fresh = new Client(server)) {
                assertThat(fresh.readBytes(MockTcpServer.GARBAGE.length)).isEqualTo(MockTcpServer.GARBAGE);
                fresh.send("hello");
                assertThat(fresh.readBytes(MockTcpServer.GARBAGE.length)).isEqualTo(MockTcpServer.GARBAGE);
                fresh.send("hello again");
                assertThatThrownBy(() -> Framing.lengthPrefixed(4).read(fresh.in)).isInstanceOf(IOException.class)
                        .hasMessageContaining("announces 4294967295 bytes"); // what a binary client sees
            }
            server.fault(Fault.NONE);
            assertThat(idle.call("clean again")).isEqualTo("clean again");
        }
    }

    @Test
    void aDelayHoldsEveryReplyAndStopDoesNotWaitForIt() throws Exception {
        server.delay(Duration.ofMillis(300));
        try (Client client = new Client(server)) {
            long start = System.nanoTime();
            assertThat(client.call("slow")).isEqualTo("slow");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

            server.delay(Duration.ofHours(1));
            client.send("never answered");
            server.awaitRequests(2, WAIT);
            long stopStart = System.nanoTime();
            server.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - stopStart)).isLessThan(Duration.ofSeconds(30));
            client.assertEndOfStream();
        }
        assertThatThrownBy(() -> server.delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be negative");
    }

    @Test
    void stopClosesEveryConnectionAndRefusesConnectsUntilRestartOnTheSamePort() throws IOException {
        int port = server.port();
        server.handler(line -> "v1 " + line).delay(Duration.ofMillis(1));
        try (Client a = new Client(server); Client b = new Client(server)) {
            assertThat(a.call("x")).isEqualTo("v1 x");
            server.awaitOpenConnections(2, WAIT);

            server.stop();
            assertThat(server.openConnections()).isZero(); // exact when stop() returns
            assertThat(server.isRunning()).isFalse();
            a.assertEndOfStream();
            b.assertEndOfStream();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        }

        server.fault(Fault.CLOSE);
        server.restart();
        assertThat(server.port()).isEqualTo(port);
        assertThat(server.isRunning()).isTrue();
        try (Client c = new Client(server)) {
            c.send("y");
            c.assertEndOfStream(); // the fault survived the restart
        }
        server.fault(Fault.NONE);
        try (Client d = new Client(server)) {
            assertThat(d.call("z")).isEqualTo("v1 z"); // and the handler
        }
        server.awaitAcceptedConnections(4, WAIT);
        assertThat(server.acceptedConnections()).isEqualTo(4); // counted across restarts
        assertThat(server.<String>requests()).containsExactly("x", "y", "z");
    }

    @Test
    void restartOfARunningServerClosesItsConnectionsAndListensAgain() throws IOException {
        int port = server.port();
        try (Client client = new Client(server)) {
            assertThat(client.call("x")).isEqualTo("x");
            server.restart();
            client.assertEndOfStream();
        }
        assertThat(server.port()).isEqualTo(port);
        try (Client again = new Client(server)) {
            assertThat(again.call("y")).isEqualTo("y");
        }
    }

    @Test
    void countersFollowConnectionsAndAwaitSaysWhatItWaitedFor() throws IOException {
        Client a = new Client(server);
        Client b = new Client(server);
        Client c = new Client(server);
        server.awaitAcceptedConnections(3, WAIT);
        server.awaitOpenConnections(3, WAIT);
        assertThat(server.acceptedConnections()).isEqualTo(3);
        assertThat(server.openConnections()).isEqualTo(3);

        a.close();
        server.awaitOpenConnections(2, WAIT);
        b.close();
        c.close();
        server.awaitOpenConnections(0, WAIT);
        assertThat(server.acceptedConnections()).isEqualTo(3);

        assertThatThrownBy(() -> server.awaitOpenConnections(1, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not reach 1 open connections within PT0.05S")
                .hasMessageContaining("open 0, accepted 3");
        assertThatThrownBy(() -> server.awaitRequests(1, Duration.ZERO)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("at least 1 requests");
    }

    @Test
    void aThrowingHandlerClosesItsConnectionOnlyAndTheErrorIsRecorded() throws IOException {
        IllegalStateException failure = new IllegalStateException("handler bug");
        server.handler(line -> {
            if (line.equals("boom")) {
                throw failure;
            }
            return "OK " + line;
        });
        try (Client victim = new Client(server); Client bystander = new Client(server)) {
            assertThat(bystander.call("1")).isEqualTo("OK 1");
            victim.send("boom");
            victim.assertEndOfStream();
            assertThat(bystander.call("2")).isEqualTo("OK 2");
            try (Client newcomer = new Client(server)) {
                assertThat(newcomer.call("3")).isEqualTo("OK 3");
            }
        }
        assertThat(server.errors()).containsExactly(failure);
        assertThat(server.<String>requests()).containsExactly("1", "boom", "2", "3");
    }

    @Test
    void aRequestTheFramingCannotReadOrAReplyItRefusesClosesThatConnectionAndIsRecorded() throws IOException {
        server.handler(Framing.lines(StandardCharsets.UTF_8).withMaxFrameSize(8), line -> line + "\nsecond line");
        try (Client tooLong = new Client(server)) {
            tooLong.send("0123456789");
            tooLong.assertEndOfStream();
        }
        try (Client badReply = new Client(server)) {
            badReply.send("ok");
            badReply.assertEndOfStream();
        }
        try (Client truncated = new Client(server)) {
            truncated.out.write("half a li".getBytes(StandardCharsets.UTF_8));
            truncated.socket.shutdownOutput();
            truncated.assertEndOfStream();
        }
        server.awaitOpenConnections(0, WAIT);
        assertThat(server.errors()).satisfiesExactly(
                e -> assertThat(e).isInstanceOf(IOException.class).hasMessageContaining("maximum frame size of 8"),
                e -> assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'\\n'"),
                e -> assertThat(e).isInstanceOf(EOFException.class).hasMessageContaining("Truncated"));
    }

    @Test
    void closeConnectionsSendsAFinAndResetConnectionsAnRstWhileTheServerKeepsListening() throws IOException {
        try (Client a = new Client(server); Client b = new Client(server)) {
            assertThat(a.call("1")).isEqualTo("1");
            assertThat(b.call("2")).isEqualTo("2");
            server.closeConnections();
            assertThat(server.openConnections()).isZero();
            a.assertEndOfStream();
            b.assertEndOfStream();
        }
        try (Client c = new Client(server)) {
            assertThat(c.call("3")).isEqualTo("3");
            server.resetConnections();
            assertThat(server.openConnections()).isZero();
            c.assertReset();
        }
        assertThat(server.isRunning()).isTrue();
    }

    @Test
    void aHandlerBlockedInAWaitOfItsOwnDoesNotHoldUpStop() throws IOException, InterruptedException {
        CountDownLatch neverOpened = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        server.handler(line -> {
            entered.countDown();
            try {
                neverOpened.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return line;
        });
        try (Client client = new Client(server)) {
            client.send("wait");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            server.stop(); // interrupts the handler, closes the socket
            assertThat(server.openConnections()).isZero();
        }
    }

    @Test
    void aClosedServerStaysClosed() {
        server.close();
        server.close();
        assertThat(server.isRunning()).isFalse();
        assertThat(server).hasToString("MockTcpServer[" + server.address() + ", closed, fault NONE, delay 0 ms, open 0,"
                + " accepted 0, requests 0, errors 0]");
        assertThatThrownBy(server::restart).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed and cannot restart");
    }

    @Test
    void faultHandlerAndDelayRefuseNull() {
        assertThatThrownBy(() -> server.fault(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> server.handler(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> server.handler(null, x -> x)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> server.delay(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void tlsIsServedAndFaultsActOnIt(@TempDir Path directory) throws IOException {
        TestCertificates certificates = TestCertificates.generate(directory);
        try (MockTcpServer tls = MockTcpServer.startTls(certificates.serverContext())) {
            tls.handler(line -> "secure " + line);
            try (Client client = new Client(tls, certificates.clientContext().getSocketFactory())) {
                assertThat(client.call("hi")).isEqualTo("secure hi");
                tls.fault(Fault.CLOSE);
                client.send("bye");
                assertThatThrownBy(client::readLine).isInstanceOf(IOException.class);
            }
            assertThat(tls.<String>requests()).containsExactly("hi", "bye");
        }
    }

    @Test
    void aPortTakenWhileStoppedFailsTheRestartWithAClearMessage() throws IOException {
        server.stop();
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", server.port()));
            assertThatThrownBy(server::restart).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot listen on " + server.address() + " again");
        }
        server.restart();
        try (Client client = new Client(server)) {
            assertThat(client.call("back")).isEqualTo("back");
        }
    }
}
