package io.connpool.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One machine-readable line per fault, {@code FAULT|name|caller sees|detect ms|recover ms|bound}, printed and
 * appended to {@code target/reliability/fault-matrix.txt}; docs/reliability.md is filled from a real run.
 */
final class FaultMatrix {

    static final Path FILE = Path.of("target", "reliability", "fault-matrix.txt");

    private FaultMatrix() {
    }

    /** A time that does not apply to this fault. */
    static final long NOT_APPLICABLE = -1;

    static void record(String fault, String callerSees, long detectMillis, long recoverMillis, String bound) {
        String line = String.join("|", "FAULT", fault, callerSees, millis(detectMillis), millis(recoverMillis), bound);
        System.out.println(line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot append to " + FILE.toAbsolutePath(), ex);
        }
    }

    private static String millis(long value) {
        return value < 0 ? "n/a" : Long.toString(value);
    }
}
