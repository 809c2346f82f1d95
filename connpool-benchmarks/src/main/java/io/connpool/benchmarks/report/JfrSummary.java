package io.connpool.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU time of a profiled benchmark goes, from JFR execution samples (JMH {@code -prof jfr}): the share
 * of samples by the part their innermost frame belongs to (clock reads, atomic read-modify-writes, stats
 * counters, listeners, the rest of connpool, the peer, the JMH harness) and the top innermost frames with line
 * numbers. Samples are taken at any instruction ({@code debugNonSafePoints}), and inlined frames are kept, so the
 * innermost frame is the source line that was running.
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.report.JfrSummary [--top 15] [--title text] file.jfr|dir...</pre>
 * Prints markdown.
 */
public final class JfrSummary {

    private JfrSummary() {
    }

    /** The part a frame's method belongs to; the first rule that matches wins. */
    static String part(String type, String method) {
        String full = type + "." + method;
        if (method.equals("nanoTime") || method.equals("currentTimeMillis") || full.contains("Clock")) {
            return "clock reads";
        }
        if (type.contains("LongAdder") || type.contains("Striped64") || type.contains("PoolStats")
                || method.toLowerCase(Locale.ROOT).contains("stat") || method.contains("count")) {
            return "stats counters";
        }
        if (method.startsWith("compareAndSet") || method.startsWith("compareAndExchange")
                || method.startsWith("getAndSet") || method.startsWith("getAndAdd") || method.startsWith("weakCompare")
                || method.startsWith("getAndIncrement") || method.startsWith("incrementAndGet")
                || method.startsWith("getAndDecrement") || method.startsWith("decrementAndGet")) {
            return "atomic read-modify-write (CAS)";
        }
        if (type.contains("Listener")) {
            return "listeners";
        }
        if (type.startsWith("io.connpool.benchmarks")) {
            return "benchmark code";
        }
        if (type.startsWith("io.connpool")) {
            return "connpool, other";
        }
        if (type.startsWith("com.zaxxer") || type.startsWith("org.apache.commons.pool2")) {
            return "peer pool";
        }
        if (type.startsWith("org.openjdk.jmh")) {
            return "JMH harness";
        }
        return "JDK / other";
    }

    public static void main(String[] args) throws IOException {
        int top = 15;
        String title = null;
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--top" -> top = Integer.parseInt(args[++i]);
                case "--title" -> title = args[++i];
                default -> {
                    Path path = Path.of(args[i]);
                    if (Files.isDirectory(path)) {
                        try (Stream<Path> walk = Files.walk(path)) {
                            walk.filter(p -> p.toString().endsWith(".jfr")).sorted().forEach(files::add);
                        }
                    }
                    else {
                        files.add(path);
                    }
                }
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: JfrSummary [--top N] [--title text] file.jfr|dir...");
            System.exit(2);
        }
        Map<String, Long> parts = new HashMap<>();
        Map<String, Long> frames = new HashMap<>();
        long total = 0;
        for (Path file : files) {
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                RecordedFrame leaf = stack.getFrames().get(0);
                String type = leaf.getMethod().getType().getName();
                String method = leaf.getMethod().getName();
                parts.merge(part(type, method), 1L, Long::sum);
                String shortType = type.substring(type.lastIndexOf('.') + 1);
                frames.merge(shortType + "." + method + ":" + leaf.getLineNumber(), 1L, Long::sum);
                total++;
            }
        }
        StringBuilder md = new StringBuilder();
        if (title != null) {
            md.append("#### ").append(title).append("\n\n");
        }
        md.append(String.format(Locale.ROOT, "%,d JFR execution samples from %s.%n%n", total,
                files.stream().map(p -> p.getFileName().toString()).distinct().reduce((a, b) -> a + ", " + b)
                        .orElse("")));
        md.append("| part (innermost frame) | share of samples |\n|---|---:|\n");
        for (Map.Entry<String, Long> entry : sorted(parts, Integer.MAX_VALUE).entrySet()) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f %% |%n", entry.getKey(), 100.0 * entry.getValue() / total));
        }
        md.append("\n| top innermost frames (method:line) | share |\n|---|---:|\n");
        for (Map.Entry<String, Long> entry : sorted(frames, top).entrySet()) {
            md.append(String.format(Locale.ROOT, "| `%s` | %.1f %% |%n", entry.getKey(), 100.0 * entry.getValue() / total));
        }
        System.out.print(md);
    }

    private static Map<String, Long> sorted(Map<String, Long> counts, int limit) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
