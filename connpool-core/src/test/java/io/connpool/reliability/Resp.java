package io.connpool.reliability;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The least of RESP, Redis's protocol, for tests: send a command, read one reply (no read-ahead). */
final class Resp {

    private Resp() {
    }

    static void send(OutputStream out, String... words) throws IOException {
        StringBuilder command = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            command.append('$').append(word.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(word).append("\r\n");
        }
        out.write(command.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Simple strings as {@code +OK}, errors as {@code -ERR ..}, integers as {@code :n}, bulk as its text, nil as null. */
    static String read(InputStream in) throws IOException {
        String line = line(in);
        if (line.startsWith("$")) {
            int length = Integer.parseInt(line.substring(1));
            if (length < 0) {
                return null;
            }
            byte[] data = in.readNBytes(length + 2);
            if (data.length < length + 2) {
                throw new EOFException("Redis closed the connection in the middle of a reply");
            }
            return new String(data, 0, length, StandardCharsets.UTF_8);
        }
        return line;
    }

    static String call(InputStream in, OutputStream out, String... words) throws IOException {
        send(out, words);
        return read(in);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(32);
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Redis closed the connection before a full reply");
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = buffer.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            buffer.write(b);
            previous = b;
        }
    }
}
