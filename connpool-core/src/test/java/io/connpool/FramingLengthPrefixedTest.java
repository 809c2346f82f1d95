package io.connpool;

import static io.connpool.FramingLinesTest.trickling;
import static io.connpool.FramingLinesTest.unbuffered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connpool.FramingLinesTest.CountingStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@link Framing#lengthPrefixed(int)} on in-memory streams: every rule, and bad input. */
class FramingLengthPrefixedTest {

    private static byte[] written(Framing<byte[]> framing, byte[] frame) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        framing.write(out, frame);
        return out.toByteArray();
    }

    private static byte[] payload(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void theLengthIsUnsignedBigEndianOfTheGivenWidth() throws IOException {
        byte[] body = payload(258);
        assertThat(Arrays.copyOf(written(Framing.lengthPrefixed(2), body), 2)).containsExactly(0x01, 0x02);
        assertThat(Arrays.copyOf(written(Framing.lengthPrefixed(4), body), 4)).containsExactly(0, 0, 0x01, 0x02);
        assertThat(written(Framing.lengthPrefixed(1), new byte[] {9, 8})).containsExactly(2, 9, 8);
    }

    @ParameterizedTest
    @CsvSource({"1, 255", "2, 65535", "4, 1048576"})
    void framesAtTheLargestSizeTheLengthOrTheDefaultMaximumAllowsRoundTrip(int lengthBytes, int largest)
            throws IOException {
        Framing<byte[]> framing = Framing.lengthPrefixed(lengthBytes);
        byte[] body = payload(largest);
        byte[] frame = written(framing, body);
        assertThat(frame).hasSize(lengthBytes + largest);
        assertThat(framing.read(unbuffered(frame))).isEqualTo(body);
        byte[] header = Arrays.copyOf(frame, lengthBytes);
        if (lengthBytes < 4) {
            assertThat(header).containsOnly((byte) 0xFF); // 255 and 65535 are all ones: read as unsigned
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 256, 255", "2, 65536, 65535"})
    void aFrameTheLengthCannotHoldIsRefusedAndNothingIsWritten(int lengthBytes, int size, int fieldMax) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Framing.lengthPrefixed(lengthBytes).write(out, new byte[size]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Frame of " + size + " bytes does not fit a " + lengthBytes + "-byte length (at most "
                        + fieldMax + " bytes); nothing was written");
        assertThat(out.size()).isZero();
    }

    @Test
    void aFrameOverTheMaximumIsRefusedAndNothingIsWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Framing.lengthPrefixed(4).write(out, new byte[(1 << 20) + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Frame of 1048577 bytes is over the maximum frame size of 1048576 bytes")
                .hasMessageContaining("nothing was written");
        assertThatThrownBy(() -> Framing.lengthPrefixed(2).withMaxFrameSize(100).write(out, new byte[101]))
                .hasMessageContaining("Frame of 101 bytes is over the maximum frame size of 100 bytes");
        assertThat(out.size()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 8, -1, 5})
    void aLengthFieldOtherThanOneTwoOrFourBytesIsRefused(int lengthBytes) {
        assertThatThrownBy(() -> Framing.lengthPrefixed(lengthBytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Framing.lengthPrefixed(" + lengthBytes + "): lengthBytes is the size of the big-endian length"
                        + " field and must be 1, 2 or 4");
    }

    @Test
    void anAnnouncedLengthOverTheMaximumFailsNamingBothSizesBeforeTheBodyIsRead() {
        byte[] frame = concat(new byte[] {0, 0, 0, 101}, payload(101));
        CountingStream in = new CountingStream(unbuffered(frame));
        assertThatThrownBy(() -> Framing.lengthPrefixed(4).withMaxFrameSize(100).read(in))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("announces 101 bytes, over the maximum frame size of 100 bytes; its body was not"
                        + " read");
        assertThat(in.read).isEqualTo(4);
    }

    @Test
    void aLengthWithTheHighBitSetIsNeverNegativeButAHugeUnsignedLengthOverTheMaximum() {
        CountingStream in = new CountingStream(unbuffered(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            1, 2, 3}));
        assertThatThrownBy(() -> Framing.lengthPrefixed(4).read(in)).isInstanceOf(IOException.class)
                .isNotInstanceOf(EOFException.class)
                .hasMessageContaining("announces 4294967295 bytes, over the maximum frame size of 1048576 bytes");
        assertThat(in.read).isEqualTo(4);
        assertThatThrownBy(() -> Framing.lengthPrefixed(4).read(unbuffered(new byte[] {(byte) 0x80, 0, 0, 0})))
                .hasMessageContaining("announces 2147483648 bytes");
    }

    @Test
    void theEndOfTheStreamBeforeAFrameSaysThePeerClosed() {
        assertThatThrownBy(() -> Framing.lengthPrefixed(2).read(unbuffered(new byte[0])))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("the peer closed the connection before sending a length-prefixed frame");
    }

    @Test
    void theEndOfTheStreamInsideTheLengthSaysHowManyOfItsBytesArrived() {
        assertThatThrownBy(() -> Framing.lengthPrefixed(4).read(unbuffered(new byte[] {0})))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("Truncated length-prefixed frame")
                .hasMessageContaining("after 1 of the 4 bytes of its length");
    }

    @Test
    void theEndOfTheStreamInsideTheBodySaysHowManyOfItsBytesArrived() {
        byte[] frame = concat(new byte[] {0, 100}, payload(10));
        assertThatThrownBy(() -> Framing.lengthPrefixed(2).read(trickling(frame)))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("Truncated length-prefixed frame")
                .hasMessageContaining("after 10 of the 100 bytes of the frame");
    }

    @Test
    void anEmptyFrameRoundTrips() throws IOException {
        Framing<byte[]> framing = Framing.lengthPrefixed(2);
        assertThat(written(framing, new byte[0])).containsExactly(0, 0);
        assertThat(framing.read(unbuffered(new byte[] {0, 0}))).isEmpty();
    }

    @Test
    void framesThatFollowOneAnotherAreEachReadExactlyEvenFromAnUnbufferedStream() throws IOException {
        Framing<byte[]> framing = Framing.lengthPrefixed(1);
        byte[] stream = concat(concat(written(framing, payload(3)), written(framing, new byte[0])),
                written(framing, payload(200)));
        for (InputStream in : new InputStream[] {unbuffered(stream), trickling(stream)}) {
            assertThat(framing.read(in)).isEqualTo(payload(3));
            assertThat(framing.read(in)).isEmpty();
            assertThat(framing.read(in)).isEqualTo(payload(200));
            assertThatThrownBy(() -> framing.read(in)).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aLargeFrameIsWrittenAsLengthThenBodyAndReadWhole() throws IOException {
        Framing<byte[]> framing = Framing.lengthPrefixed(4);
        byte[] body = payload(200_000);
        byte[] frame = written(framing, body);
        assertThat(Arrays.copyOf(frame, 4)).containsExactly(0, 0x03, 0x0D, 0x40);
        assertThat(framing.read(trickling(frame))).isEqualTo(body);
    }

    @Test
    void withMaxFrameSizeReturnsANewFramingAndRefusesSizesBelowOne() {
        Framing<byte[]> four = Framing.lengthPrefixed(4);
        assertThat(four.maxFrameSize()).isEqualTo(1 << 20);
        Framing<byte[]> large = four.withMaxFrameSize(16 << 20);
        assertThat(large.maxFrameSize()).isEqualTo(16 << 20);
        assertThat(four.maxFrameSize()).isEqualTo(1 << 20);
        assertThat(large).hasToString("Framing.lengthPrefixed(4, max 16777216 bytes)");
        assertThatThrownBy(() -> four.withMaxFrameSize(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("withMaxFrameSize(-1)");
    }

    @Test
    void nullsAreRefusedByName() {
        Framing<byte[]> framing = Framing.lengthPrefixed(4);
        assertThatThrownBy(() -> framing.write(new ByteArrayOutputStream(), null)).hasMessageContaining("frame");
        assertThatThrownBy(() -> framing.read(null)).hasMessageContaining("in");
    }
}
