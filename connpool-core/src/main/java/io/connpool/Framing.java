package io.connpool;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * How a request/reply protocol cuts its byte stream into frames, and one request/reply exchange on a
 * pooled connection:
 *
 * <pre>{@code
 * static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);
 *
 * try (PooledConnection c = pool.acquire()) {
 *     String reply = LINES.call(c, "GET 42");
 * }
 * }</pre>
 *
 * <p>Two framings are built in: {@link #lines(Charset)} (one text line per frame) and
 * {@link #lengthPrefixed(int)} (an unsigned big-endian length of 1, 2 or 4 bytes, then that many bytes).
 * Both refuse a frame larger than {@link #maxFrameSize()} (default 1 MiB, changed with
 * {@link #withMaxFrameSize(int)}): before sending it, and for a received frame before its body is read,
 * so a peer that is out of step cannot make the reader allocate or wait for gigabytes.
 *
 * <p>A framing is immutable and thread-safe: share one instance (a constant) across all threads. The
 * built-in ones allocate nothing per call but the frame itself (the reply {@code String} or
 * {@code byte[]}): their working buffers come from a small lock-free set of reusable buffers shared by all
 * threads (64 buffers of at most 16 KiB; a read beyond 64 concurrent ones, or of a longer line, allocates
 * a temporary one), so neither a per-call {@code BufferedReader} nor a buffered stream is needed.
 *
 * <p>Errors: end of stream before a frame is an {@link EOFException} saying the peer closed the
 * connection; end of stream inside a frame is an {@code EOFException} saying the frame was truncated and
 * how much of it arrived; a frame over the maximum is an {@link IOException} naming both sizes.
 *
 * <p>Extend this class for another framing; {@link #call} works with it as well.
 *
 * @param <T> the type of one frame, as the application sees it
 */
public abstract class Framing<T> {

    /** The maximum frame size of a new framing, in bytes: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 1 << 20;

    /** For subclasses. */
    protected Framing() {
    }

    /**
     * Returns the framing of a line protocol: each frame is the text up to a {@code '\n'}; a {@code '\r'}
     * before it is dropped, so {@code "\r\n"} ends a line too. {@link #write} sends the text and its
     * {@code '\n'} in one write.
     *
     * <p>Lines are read in chunks, never a byte at a time (on a socket stream that would be one system
     * call per byte). A chunk may hold bytes past the end of the line. From a stream that supports
     * {@link InputStream#mark mark/reset} (e.g. a {@link java.io.BufferedInputStream}), those bytes are
     * given back, so lines that follow one another (a pipelining client, a stream of pushes) are each read
     * exactly. From an unbuffered stream, such as {@link PooledConnection#input()}, reading ahead is safe
     * because the protocol is request/reply: after its reply the server sends nothing until the next
     * request, so a chunk cannot hold a byte that anyone else needs, and nothing is kept between calls.
     * A peer that breaks that rule (two replies to one request, unsolicited bytes) is caught whenever those
     * bytes arrive with the reply: the read fails with a {@link ProtocolException} instead of dropping
     * them, and {@link #call} discards the connection, so no later request reads a stale reply.
     *
     * <p>The frame size is the encoded line without its terminator. {@link #write} refuses a line that
     * contains {@code '\n'} or ends with {@code '\r'}, which would not arrive as sent. UTF-8, US-ASCII and
     * ISO-8859-1 are encoded without allocating (exactly as {@link String#getBytes(Charset)} does); other
     * charsets through {@code getBytes}.
     *
     * @param charset the encoding of the text; it must encode {@code '\n'} and {@code '\r'} as the single
     *     bytes 0x0A and 0x0D (UTF-8, US-ASCII, ISO-8859-1 and most others; not UTF-16)
     * @return a line framing with the default maximum frame size
     * @throws IllegalArgumentException if the charset cannot encode, or encodes {@code '\n'} otherwise
     */
    public static Framing<String> lines(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        if (!charset.canEncode() || !Arrays.equals("\n".getBytes(charset), new byte[] {'\n'})
                || !Arrays.equals("\r".getBytes(charset), new byte[] {'\r'})) {
            throw new IllegalArgumentException("Framing.lines(" + charset + "): this charset does not encode '\\n'"
                    + " and '\\r' as the single bytes 0x0A and 0x0D, so lines cannot be found in its bytes;"
                    + " use an ASCII-compatible charset such as UTF-8, or Framing.lengthPrefixed(..)");
        }
        return new Lines(charset, DEFAULT_MAX_FRAME_SIZE);
    }

    /**
     * Returns the framing of a length-prefixed binary protocol: each frame is an unsigned big-endian
     * length of {@code lengthBytes} bytes, then that many bytes of payload. It reads exactly the frame,
     * never a byte more, from any stream. {@link #write} sends length and payload in one write when the
     * payload is small (up to 16 KiB with its length), in two otherwise.
     *
     * <p>The frame size is the payload length. Besides the maximum frame size, the length field bounds
     * it: at most 255 bytes with a 1-byte length, 65,535 with a 2-byte one.
     *
     * @param lengthBytes the size of the length field: 1, 2 or 4
     * @return a length-prefixed framing with the default maximum frame size
     * @throws IllegalArgumentException if {@code lengthBytes} is not 1, 2 or 4
     */
    public static Framing<byte[]> lengthPrefixed(int lengthBytes) {
        if (lengthBytes != 1 && lengthBytes != 2 && lengthBytes != 4) {
            throw new IllegalArgumentException("Framing.lengthPrefixed(" + lengthBytes + "): lengthBytes is the size"
                    + " of the big-endian length field and must be 1, 2 or 4");
        }
        return new LengthPrefixed(lengthBytes, DEFAULT_MAX_FRAME_SIZE);
    }

    /**
     * Returns a framing like this one with another maximum frame size; this one is unchanged.
     *
     * @param bytes the largest frame to send or accept, in bytes; at least 1
     * @return a new framing
     * @throws IllegalArgumentException if {@code bytes} is less than 1
     */
    public abstract Framing<T> withMaxFrameSize(int bytes);

    /**
     * Returns the largest frame this framing sends or accepts, in bytes.
     *
     * @return the maximum frame size
     */
    public abstract int maxFrameSize();

    /**
     * Writes one frame. Does not flush.
     *
     * @param out where to write
     * @param frame the frame
     * @throws IllegalArgumentException if the frame is over the maximum frame size (the message names
     *     both sizes) or cannot be framed; nothing was written then
     * @throws IOException if writing failed
     */
    public abstract void write(OutputStream out, T frame) throws IOException;

    /**
     * Reads one frame, blocking until it has arrived whole (bounded by the socket's read timeout).
     *
     * @param in where to read
     * @return the frame
     * @throws EOFException if the stream ended before a frame (the peer closed the connection) or inside
     *     one (the frame was truncated; the message says how much of it arrived)
     * @throws IOException if the frame is over the maximum frame size (the message names both sizes),
     *     the peer broke the framing, or reading failed
     */
    public abstract T read(InputStream in) throws IOException;

    /**
     * One exchange on a borrowed connection: writes the request, flushes, reads one reply. Uses only
     * {@link PooledConnection#output()} and {@link PooledConnection#input()}.
     *
     * <p>If it throws an {@link IOException}, the stream is dead or out of step (no reply, half a reply, a
     * reply too large, bytes after the reply), so the connection has been
     * {@linkplain PooledConnection#invalidate() invalidated}: it is never handed to another caller. A
     * request refused by {@link #write} ({@link IllegalArgumentException}) was not sent, and the connection
     * stays usable.
     *
     * @param connection a borrowed connection
     * @param request the request frame
     * @return the reply frame
     * @throws IllegalArgumentException if the request cannot be sent (too large, or not a valid frame)
     * @throws IOException if the exchange failed; the connection has been invalidated
     */
    public T call(PooledConnection connection, T request) throws IOException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(request, "request");
        try {
            OutputStream out = connection.output();
            write(out, request);
            out.flush();
            return readFrom(connection.input(), connection.server());
        }
        catch (IOException ex) {
            connection.invalidate();
            throw ex;
        }
    }

    /** {@link #read}, with the server for the error messages of the built-in framings. */
    T readFrom(InputStream in, ServerAddress server) throws IOException {
        return read(in);
    }

    static int checkedMaxFrameSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("withMaxFrameSize(" + bytes + "): the maximum frame size is in bytes"
                    + " and must be at least 1");
        }
        return bytes;
    }

    static String peer(ServerAddress server) {
        return server == null ? "the peer" : "server " + server;
    }

    static IllegalArgumentException frameTooLarge(int size, int max) {
        return new IllegalArgumentException("Frame of " + size + " bytes is over the maximum frame size of " + max
                + " bytes; nothing was written. Raise the limit with withMaxFrameSize(..) if the server accepts"
                + " such frames");
    }

    static EOFException closedBeforeFrame(ServerAddress server, String kind) {
        return new EOFException("End of stream: " + peer(server) + " closed the connection before sending a "
                + kind + " frame (an idle connection it closed, or a request it refused); use another connection");
    }

    /** {@link #lines(Charset)}. */
    private static final class Lines extends Framing<String> {

        private final Charset charset;
        private final int maxFrameSize;
        private final int encoding; // 0: other, 1: UTF-8, 2: one byte per code point ('?' if unmappable)
        private final char highestOneByteChar;

        Lines(Charset charset, int maxFrameSize) {
            this.charset = charset;
            this.maxFrameSize = maxFrameSize;
            if (charset.equals(StandardCharsets.UTF_8)) {
                encoding = 1;
            }
            else if (charset.equals(StandardCharsets.US_ASCII) || charset.equals(StandardCharsets.ISO_8859_1)) {
                encoding = 2;
            }
            else {
                encoding = 0;
            }
            highestOneByteChar = charset.equals(StandardCharsets.ISO_8859_1) ? '\u00ff' : '\u007f';
        }

        @Override
        public Framing<String> withMaxFrameSize(int bytes) {
            return new Lines(charset, checkedMaxFrameSize(bytes));
        }

        @Override
        public int maxFrameSize() {
            return maxFrameSize;
        }

        @Override
        public void write(OutputStream out, String line) throws IOException {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(line, "line");
            int newline = line.indexOf('\n');
            if (newline >= 0) {
                throw new IllegalArgumentException("A line frame must not contain '\\n' (found at index " + newline
                        + " of " + line.length() + "): it would arrive as two lines; nothing was written");
            }
            if (line.endsWith("\r")) {
                throw new IllegalArgumentException("A line frame must not end with '\\r': the reader drops a '\\r'"
                        + " before the '\\n', so it would not arrive as sent; nothing was written");
            }
            byte[] other = encoding == 0 ? line.getBytes(charset) : null;
            int size = other != null ? other.length : encode(line, null);
            if (size > maxFrameSize) {
                throw frameTooLarge(size, maxFrameSize);
            }
            byte[] buffer = Scratch.take(size + 1);
            try {
                if (other != null) {
                    System.arraycopy(other, 0, buffer, 0, size);
                }
                else {
                    encode(line, buffer);
                }
                buffer[size] = '\n';
                out.write(buffer, 0, size + 1);
            }
            finally {
                Scratch.give(buffer);
            }
        }

        /** Encodes as {@code getBytes} does (a lone surrogate or unmappable char is '?'); counts if to is null. */
        private int encode(String line, byte[] to) {
            int at = 0;
            for (int i = 0, n = line.length(); i < n; i++) {
                char c = line.charAt(i);
                int cp = c;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(line.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, line.charAt(++i));
                }
                else if (Character.isSurrogate(c)) {
                    cp = '?';
                }
                if (encoding == 2 || cp < 0x80) {
                    if (to != null) {
                        to[at] = cp <= highestOneByteChar ? (byte) cp : (byte) '?';
                    }
                    at++;
                    continue;
                }
                int size = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (to != null) {
                    to[at] = (byte) ((0xF00 >> size) & 0xF0 | cp >> (6 * (size - 1))); // lead 0xC0, 0xE0, 0xF0
                    for (int k = 1; k < size; k++) {
                        to[at + k] = (byte) (0x80 | cp >> (6 * (size - 1 - k)) & 0x3F);
                    }
                }
                at += size;
            }
            return at;
        }

        @Override
        public String read(InputStream in) throws IOException {
            return readFrom(in, null);
        }

        @Override
        String readFrom(InputStream in, ServerAddress server) throws IOException {
            Objects.requireNonNull(in, "in");
            boolean giveBack = in.markSupported();
            // a line of maxFrameSize bytes, '\r', '\n'
            int limit = (int) Math.min(Integer.MAX_VALUE - 8, maxFrameSize + 2L);
            byte[] buffer = Scratch.take(0);
            int held = 0;
            try {
                while (true) {
                    if (held == buffer.length) {
                        byte[] larger = Arrays.copyOf(buffer, (int) Math.min(limit, buffer.length * 2L));
                        Scratch.give(buffer);
                        buffer = larger;
                    }
                    int room = Math.min(buffer.length, limit) - held;
                    if (giveBack) {
                        in.mark(room);
                    }
                    int n = in.read(buffer, held, room);
                    if (n < 0) {
                        if (held == 0) {
                            throw closedBeforeFrame(server, "line");
                        }
                        throw new EOFException("Truncated line frame: " + peer(server) + " closed the connection after "
                                + held + " bytes of a line, before its '\\n' (the rest of it never arrived)");
                    }
                    int newline = indexOfNewline(buffer, held, held + n);
                    if (newline >= 0) {
                        int after = held + n - newline - 1;
                        if (after > 0) {
                            if (!giveBack) {
                                throw new ProtocolException("Line frame from " + peer(server) + " was followed by "
                                        + after + " more bytes, with no request in between: a request/reply protocol"
                                        + " allows nothing after a reply, so the stream is out of step (two replies"
                                        + " to one request, or unsolicited bytes) and the connection must be discarded"
                                        + " (call(..) does that). To read a stream of lines, read them from a"
                                        + " BufferedInputStream");
                            }
                            in.reset();
                            skipExactly(in, newline + 1 - held);
                        }
                        int end = newline > 0 && buffer[newline - 1] == '\r' ? newline - 1 : newline;
                        if (end > maxFrameSize) {
                            throw lineTooLong(server, end);
                        }
                        return new String(buffer, 0, end, charset);
                    }
                    held += n;
                    if (held > maxFrameSize + 1L) {
                        throw lineTooLong(server, held);
                    }
                }
            }
            finally {
                Scratch.give(buffer);
            }
        }

        private static int indexOfNewline(byte[] buffer, int from, int to) {
            for (int i = from; i < to; i++) {
                if (buffer[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static void skipExactly(InputStream in, int count) throws IOException {
            int left = count;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped > 0) {
                    left -= (int) skipped;
                }
                else if (in.read() >= 0) {
                    left--;
                }
                else {
                    throw new IOException("the stream lost bytes it had just returned before reset()");
                }
            }
        }

        private IOException lineTooLong(ServerAddress server, int seen) {
            return new IOException("Line frame from " + peer(server) + " is over the maximum frame size of "
                    + maxFrameSize + " bytes: " + seen + " bytes arrived without its end. If the server is right,"
                    + " raise the limit with withMaxFrameSize(..); otherwise it does not speak this line protocol;"
                    + " the connection is out of step and must be discarded");
        }

        @Override
        public String toString() {
            return "Framing.lines(" + charset + ", max " + maxFrameSize + " bytes)";
        }
    }

    /** {@link #lengthPrefixed(int)}. */
    private static final class LengthPrefixed extends Framing<byte[]> {

        private static final byte[] EMPTY = new byte[0];

        private final int lengthBytes;
        private final int maxFrameSize;
        private final long fieldMax;

        LengthPrefixed(int lengthBytes, int maxFrameSize) {
            this.lengthBytes = lengthBytes;
            this.maxFrameSize = maxFrameSize;
            this.fieldMax = (1L << (8 * lengthBytes)) - 1;
        }

        @Override
        public Framing<byte[]> withMaxFrameSize(int bytes) {
            return new LengthPrefixed(lengthBytes, checkedMaxFrameSize(bytes));
        }

        @Override
        public int maxFrameSize() {
            return maxFrameSize;
        }

        @Override
        public void write(OutputStream out, byte[] frame) throws IOException {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(frame, "frame");
            int size = frame.length;
            if (size > fieldMax) {
                throw new IllegalArgumentException("Frame of " + size + " bytes does not fit a " + lengthBytes
                        + "-byte length (at most " + fieldMax + " bytes); nothing was written. Use a wider length"
                        + " field (lengthPrefixed(" + (lengthBytes * 2) + ")) if the protocol has one");
            }
            if (size > maxFrameSize) {
                throw frameTooLarge(size, maxFrameSize);
            }
            boolean together = lengthBytes + size <= Scratch.RETAINED;
            byte[] buffer = Scratch.take(together ? lengthBytes + size : lengthBytes);
            try {
                for (int i = 0; i < lengthBytes; i++) {
                    buffer[i] = (byte) (size >>> (8 * (lengthBytes - 1 - i)));
                }
                if (together) {
                    System.arraycopy(frame, 0, buffer, lengthBytes, size);
                    out.write(buffer, 0, lengthBytes + size);
                }
                else {
                    out.write(buffer, 0, lengthBytes);
                    out.write(frame);
                }
            }
            finally {
                Scratch.give(buffer);
            }
        }

        @Override
        public byte[] read(InputStream in) throws IOException {
            return readFrom(in, null);
        }

        @Override
        byte[] readFrom(InputStream in, ServerAddress server) throws IOException {
            Objects.requireNonNull(in, "in");
            long size = 0;
            byte[] header = Scratch.take(lengthBytes);
            try {
                int got = in.readNBytes(header, 0, lengthBytes);
                if (got < lengthBytes) {
                    if (got == 0) {
                        throw closedBeforeFrame(server, "length-prefixed");
                    }
                    throw new EOFException("Truncated length-prefixed frame: " + peer(server) + " closed the"
                            + " connection after " + got + " of the " + lengthBytes + " bytes of its length");
                }
                for (int i = 0; i < lengthBytes; i++) {
                    size = size << 8 | (header[i] & 0xFF);
                }
            }
            finally {
                Scratch.give(header);
            }
            if (size > maxFrameSize) {
                throw new IOException("Length-prefixed frame from " + peer(server) + " announces " + size
                        + " bytes, over the maximum frame size of " + maxFrameSize + " bytes; its body was not read."
                        + " If the server is right, raise the limit with withMaxFrameSize(..); otherwise the stream"
                        + " is out of step and the connection must be discarded");
            }
            if (size == 0) {
                return EMPTY;
            }
            byte[] frame = new byte[(int) size];
            int got = in.readNBytes(frame, 0, frame.length);
            if (got < frame.length) {
                throw new EOFException("Truncated length-prefixed frame: " + peer(server) + " closed the connection"
                        + " after " + got + " of the " + size + " bytes of the frame");
            }
            return frame;
        }

        @Override
        public String toString() {
            return "Framing.lengthPrefixed(" + lengthBytes + ", max " + maxFrameSize + " bytes)";
        }
    }

    /**
     * The working buffers of the built-in framings: a fixed set of slots shared by every thread, taken and
     * given back with one compare-and-set each, no lock. A thread starts at a slot of its own (by its
     * identity hash), so threads rarely meet on one. Buffers are held for one read or write only (a read
     * holds its buffer while it waits for the reply), nothing is kept between calls. When every slot is
     * empty, or for a frame larger than a retained buffer, a temporary buffer is allocated and dropped.
     */
    private static final class Scratch {

        static final int SLOTS = 64;
        static final int INITIAL = 4096;
        static final int RETAINED = 16 * 1024;

        private static final AtomicReferenceArray<byte[]> FREE = new AtomicReferenceArray<>(SLOTS);

        private Scratch() {
        }

        /** A buffer of at least {@code size} bytes (and at least {@link #INITIAL}). */
        static byte[] take(int size) {
            int home = home();
            for (int i = 0; i < SLOTS; i++) {
                int slot = (home + i) & (SLOTS - 1);
                byte[] buffer = FREE.get(slot);
                if (buffer != null && buffer.length >= size && FREE.compareAndSet(slot, buffer, null)) {
                    return buffer;
                }
            }
            return new byte[Math.max(size, INITIAL)];
        }

        static void give(byte[] buffer) {
            if (buffer.length > RETAINED) {
                return;
            }
            int home = home();
            for (int i = 0; i < SLOTS; i++) {
                int slot = (home + i) & (SLOTS - 1);
                if (FREE.get(slot) == null && FREE.compareAndSet(slot, null, buffer)) {
                    return;
                }
            }
        }

        private static int home() {
            int h = System.identityHashCode(Thread.currentThread()) * 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }
}
