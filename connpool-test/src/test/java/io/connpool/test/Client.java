package io.connpool.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.Framing;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import javax.net.SocketFactory;

/** A plain blocking client for the tests: one socket, 10 s read timeout (a hang fails, never blocks the build). */
final class Client implements AutoCloseable {

    static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    final Socket socket;
    final InputStream in;
    final OutputStream out;

    Client(MockTcpServer server) {
        this(server, SocketFactory.getDefault());
    }

    Client(MockTcpServer server, SocketFactory factory) {
        try {
            socket = factory.createSocket();
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    Client send(String line) throws IOException {
        LINES.write(out, line);
        out.flush();
        return this;
    }

    String readLine() throws IOException {
        return LINES.read(in);
    }

    String call(String line) throws IOException {
        return send(line).readLine();
    }

    byte[] readBytes(int count) throws IOException {
        byte[] bytes = in.readNBytes(count);
        assertThat(bytes).as("bytes before end of stream").hasSize(count);
        return bytes;
    }

    void assertEndOfStream() throws IOException {
        assertThat(in.read()).as("end of stream (a FIN)").isEqualTo(-1);
    }

    void assertReset() {
        assertThatThrownBy(in::read).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
