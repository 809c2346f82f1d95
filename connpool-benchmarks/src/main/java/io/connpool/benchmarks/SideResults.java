package io.connpool.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Results measured outside JMH's own scores (CPU time per operation, acquire-latency percentiles, timeout checks),
 * one JSON object per line, for the report generator. A benchmark writes them only when the system property
 * {@code connpool.bench.side} names the file, as {@code run-benchmarks.sh} sets it.
 */
public final class SideResults {

    public static final String PROPERTY = "connpool.bench.side";

    private SideResults() {
    }

    /** Appends lines to the file named by {@link #PROPERTY}, if set. */
    public static void appendIfRequested(List<String> lines) {
        String file = System.getProperty(PROPERTY);
        if (file != null && !file.isBlank()) {
            append(Path.of(file), lines);
        }
    }

    public static synchronized void append(Path file, List<String> lines) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        catch (IOException ex) {
            throw new java.io.UncheckedIOException("could not write side results to " + file, ex);
        }
    }
}
