package io.connpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link Framing#lines(Charset)} on in-memory streams: every rule, and bad input. */
class FramingLinesTest {

    private static final Framing<String> LINES = Framing.lines(StandardCharsets.UTF_8);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An unbuffered stream, as a socket's or PooledConnection's: no mark/reset, so bytes read are gone. */
    static InputStream unbuffered(byte[] content) {
        return new FilterInputStream(new ByteArrayInputStream(content)) {
            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }

    /** A stream that returns one byte per read, as a reply split into many TCP segments would arrive. */
    static InputStream trickling(byte[] content) {
        return new FilterInputStream(unbuffered(content)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 1));
            }
        };
    }

    /** Counts the bytes read from it. */
    static final class CountingStream extends FilterInputStream {
        long read;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** An endless stream of one byte value. */
    static InputStream endless(byte value) {
        return new InputStream() {
            @Override
            public int read() {
                return value & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, value);
                return len;
            }
        };
    }

    private static byte[] written(Framing<String> framing, String line) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        framing.write(out, line);
        return out.toByteArray();
    }

    @Test
    void aLineIsWrittenWithItsNewlineAndReadBackWithoutIt() throws IOException {
        assertThat(written(LINES, "GET 42")).isEqualTo(bytes("GET 42\n"));
        assertThat(LINES.read(unbuffered(bytes("OK 42\n")))).isEqualTo("OK 42");
        assertThat(LINES.read(unbuffered(bytes("\n")))).isEmpty();
    }

    @Test
    void aCarriageReturnBeforeTheNewlineIsDroppedAndOnlyThere() throws IOException {
        assertThat(LINES.read(unbuffered(bytes("OK\r\n")))).isEqualTo("OK");
        assertThat(LINES.read(unbuffered(bytes("\r\n")))).isEmpty();
        assertThat(LINES.read(unbuffered(bytes("a\rb\n")))).isEqualTo("a\rb");
        assertThat(LINES.read(unbuffered(bytes("a\r\r\n")))).isEqualTo("a\r");
    }

    @Test
    void nonAsciiUtf8RoundTripsAndIsMeasuredInEncodedBytes() throws IOException {
        String text = "grüße € \uD83D\uDE00 日本";
        byte[] frame = written(LINES, text);
        assertThat(frame).isEqualTo(bytes(text + "\n"));
        assertThat(LINES.read(unbuffered(frame))).isEqualTo(text);

        int encoded = bytes(text).length; // more than text.length()
        assertThat(encoded).isGreaterThan(text.length());
        Framing<String> exact = LINES.withMaxFrameSize(encoded);
        assertThat(exact.read(unbuffered(frame))).isEqualTo(text);
        assertThatThrownBy(() -> written(LINES.withMaxFrameSize(encoded - 1), text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(encoded + " bytes").hasMessageContaining("maximum frame size of " + (encoded - 1));
    }

    @Test
    void theAllocationFreeEncodersWriteExactlyWhatGetBytesWrites() throws IOException {
        Random random = new Random(42);
        char[] alphabet = {'a', 'Z', '0', ' ', '\r', '\u00e9', '\u00ff', '\u0100', '\u07ff', '\u0800', '\u20ac', '\uffff',
            '\uD83D', '\uDE00', '\uD800', '\uDC00'};
        for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1,
                Charset.forName("windows-1252"))) {
            Framing<String> lines = Framing.lines(charset);
            for (int i = 0; i < 2_000; i++) {
                char[] chars = new char[random.nextInt(12)];
                for (int j = 0; j < chars.length; j++) {
                    chars[j] = alphabet[random.nextInt(alphabet.length)];
                }
                String text = new String(chars).replace("\r", "") + "x"; // no trailing '\r'
                assertThat(written(lines, text)).as("%s of %s", charset, text)
                        .isEqualTo((text + "\n").getBytes(charset));
            }
        }
    }

    @Test
    void aLineThatWouldNotArriveAsSentIsRefusedAndNothingIsWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> LINES.write(out, "GET 1\nGET 2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not contain '\\n'").hasMessageContaining("index 5")
                .hasMessageContaining("nothing was written");
        assertThatThrownBy(() -> LINES.write(out, "GET 1\r")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not end with '\\r'");
        assertThat(out.size()).isZero();
    }

    @Test
    void aLineOverTheMaximumIsRefusedBeforeAnythingIsWritten() throws IOException {
        Framing<String> small = LINES.withMaxFrameSize(10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        small.write(out, "0123456789");
        assertThat(out.toByteArray()).isEqualTo(bytes("0123456789\n"));
        out.reset();
        assertThatThrownBy(() -> small.write(out, "0123456789A")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Frame of 11 bytes is over the maximum frame size of 10 bytes; nothing was written."
                        + " Raise the limit with withMaxFrameSize(..) if the server accepts such frames");
        assertThat(out.size()).isZero();
    }

    @Test
    void aLineOverTheMaximumFailsNamingBothSizesWithoutReadingOnForever() throws IOException {
        Framing<String> small = LINES.withMaxFrameSize(10);
        assertThat(small.read(unbuffered(bytes("0123456789\r\n")))).isEqualTo("0123456789");
        assertThatThrownBy(() -> small.read(unbuffered(bytes("0123456789A\n")))).isInstanceOf(IOException.class)
                .hasMessageContaining("over the maximum frame size of 10 bytes: 11 bytes arrived");

        CountingStream flood = new CountingStream(endless((byte) 'a'));
        assertThatThrownBy(() -> small.read(flood)).isInstanceOf(IOException.class)
                .hasMessageContaining("over the maximum frame size of 10 bytes: 12 bytes arrived without its end");
        assertThat(flood.read).isEqualTo(12); // max + '\r' + '\n': never a byte more

        CountingStream defaultFlood = new CountingStream(endless((byte) 'a'));
        assertThatThrownBy(() -> LINES.read(defaultFlood)).isInstanceOf(IOException.class)
                .hasMessageContaining("maximum frame size of 1048576 bytes");
        assertThat(defaultFlood.read).isEqualTo(1048578);
    }

    @Test
    void theEndOfTheStreamBeforeALineSaysThePeerClosed() {
        assertThatThrownBy(() -> LINES.read(unbuffered(new byte[0]))).isInstanceOf(EOFException.class)
                .hasMessageContaining("the peer closed the connection before sending a line frame");
    }

    @Test
    void theEndOfTheStreamInsideALineSaysItWasTruncatedAndHowMuchArrived() {
        assertThatThrownBy(() -> LINES.read(unbuffered(bytes("OK 4")))).isInstanceOf(EOFException.class)
                .hasMessageContaining("Truncated line frame").hasMessageContaining("after 4 bytes of a line");
        assertThatThrownBy(() -> LINES.read(trickling(bytes("OK\r")))).isInstanceOf(EOFException.class)
                .hasMessageContaining("after 3 bytes");
    }

    @Test
    void aLineArrivingOneByteAtATimeIsAssembled() throws IOException {
        assertThat(LINES.read(trickling(bytes("slow reply\r\n")))).isEqualTo("slow reply");
    }

    @Test
    void aLineLongerThanTheWorkingBufferIsReadWhole() throws IOException {
        String longLine = "x".repeat(100_000) + "é";
        byte[] frame = written(LINES, longLine);
        assertThat(LINES.read(unbuffered(frame))).isEqualTo(longLine);
        assertThat(LINES.read(trickling(bytes("y".repeat(5_000) + "\n")))).hasSize(5_000);
    }

    @Test
    void bytesAfterTheLineOnAnUnbufferedStreamAreAProtocolErrorNeverSilentlyDropped() {
        assertThatThrownBy(() -> LINES.read(unbuffered(bytes("reply one\nreply two\n"))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Line frame from the peer was followed by 10 more bytes")
                .hasMessageContaining("out of step").hasMessageContaining("BufferedInputStream");
    }

    @Test
    void linesThatFollowOneAnotherAreEachReadExactlyFromAStreamThatCanGiveBytesBack() throws IOException {
        byte[] pipelined = bytes("one\r\ntwo\n\nfour é\n");
        for (InputStream in : List.of(new ByteArrayInputStream(pipelined),
                new BufferedInputStream(unbuffered(pipelined), 5), new BufferedInputStream(trickling(pipelined)))) {
            assertThat(LINES.read(in)).isEqualTo("one");
            assertThat(LINES.read(in)).isEqualTo("two");
            assertThat(LINES.read(in)).isEmpty();
            assertThat(LINES.read(in)).isEqualTo("four é");
            assertThatThrownBy(() -> LINES.read(in)).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aCharsetThatDoesNotEncodeNewlineAsOneByteIsRefused() {
        assertThatThrownBy(() -> Framing.lines(StandardCharsets.UTF_16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UTF-16").hasMessageContaining("Framing.lengthPrefixed");
        assertThatThrownBy(() -> Framing.lines(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anotherAsciiCompatibleCharsetRoundTrips() throws IOException {
        Framing<String> sjis = Framing.lines(Charset.forName("Shift_JIS"));
        byte[] frame = written(sjis, "日本語");
        assertThat(sjis.read(unbuffered(frame))).isEqualTo("日本語");
    }

    @Test
    void withMaxFrameSizeReturnsANewFramingAndRefusesSizesBelowOne() {
        assertThat(LINES.maxFrameSize()).isEqualTo(Framing.DEFAULT_MAX_FRAME_SIZE).isEqualTo(1 << 20);
        Framing<String> small = LINES.withMaxFrameSize(64);
        assertThat(small).isNotSameAs(LINES);
        assertThat(small.maxFrameSize()).isEqualTo(64);
        assertThat(LINES.maxFrameSize()).isEqualTo(1 << 20);
        assertThat(small).hasToString("Framing.lines(UTF-8, max 64 bytes)");
        assertThatThrownBy(() -> LINES.withMaxFrameSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("withMaxFrameSize(0)").hasMessageContaining("at least 1");
        assertThatThrownBy(() -> LINES.withMaxFrameSize(-5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneInstanceServesManyThreadsAtOnceWithoutMixingTheirBytes() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> work = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                work.add(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        String line = ("thread " + thread + " call " + i + " ").repeat(1 + i % 300); // up to ~8 KiB
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        LINES.write(out, line);
                        String back = LINES.read(unbuffered(out.toByteArray()));
                        if (!back.equals(line)) {
                            throw new AssertionError("thread " + thread + " read another thread's bytes: " + back);
                        }
                    }
                    return thread;
                });
            }
            for (Future<Integer> done : threads.invokeAll(work)) {
                done.get();
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void nullsAreRefusedByName() {
        assertThatThrownBy(() -> LINES.write(new ByteArrayOutputStream(), null)).hasMessageContaining("line");
        assertThatThrownBy(() -> LINES.write(null, "x")).hasMessageContaining("out");
        assertThatThrownBy(() -> LINES.read(null)).hasMessageContaining("in");
    }
}
