package io.connpool.benchmarks.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reads JMH JSON results and writes the ratios the project tracks: a PNG bar chart (plain Java2D) and a
 * markdown report with the ratios, their error, allocation per operation and every raw score.
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.report.ChartGenerator --png out.png --md out.md a.json [b.json...]</pre>
 *
 * <p>A ratio's error combines the two scores' JMH errors (99.9 % confidence half-widths) as relative errors in
 * quadrature; it is "n/a" when a score has no error (a single iteration).
 */
public final class ChartGenerator {

    private static final String PKG = "io.connpool.benchmarks.";

    /** One JMH result row. */
    record Result(String benchmark, Map<String, String> params, int threads, String jdk, double score,
            double error, String unit, double allocPerOp, double allocError) {

        String paramText() {
            List<String> parts = new ArrayList<>();
            params.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(", ", parts);
        }
    }

    /** A tracked ratio; {@code atLeast} says which side of the target passes. */
    record Ratio(String label, double value, double error, double target, boolean atLeast) {

        boolean hasTarget() {
            return !Double.isNaN(target);
        }

        boolean met() {
            return atLeast ? value >= target : value <= target;
        }
    }

    private final List<Result> results;

    ChartGenerator(List<Result> results) {
        this.results = results;
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path png = null;
        Path md = null;
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--png" -> png = Path.of(args[++i]);
                case "--md" -> md = Path.of(args[++i]);
                default -> inputs.add(Path.of(args[i]));
            }
        }
        if (inputs.isEmpty() || (png == null && md == null)) {
            System.err.println("usage: ChartGenerator [--png chart.png] [--md report.md] result.json...");
            System.exit(2);
        }
        List<Result> all = new ArrayList<>();
        for (Path input : inputs) {
            all.addAll(read(input));
        }
        ChartGenerator generator = new ChartGenerator(all);
        List<Ratio> ratios = generator.ratios();
        if (png != null) {
            generator.chart(ratios, png);
        }
        if (md != null) {
            Files.writeString(md, generator.markdown(ratios), StandardCharsets.UTF_8);
        }
        for (Ratio ratio : ratios) {
            System.out.printf(Locale.ROOT, "%-58s %8.3f ± %s%s%n", ratio.label(), ratio.value(), fmt(ratio.error()),
                    ratio.hasTarget() ? "  target " + target(ratio) + (ratio.met() ? "  met" : "  MISSED") : "");
        }
    }

    @SuppressWarnings("unchecked")
    static List<Result> read(Path file) throws IOException {
        Object parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        if (!(parsed instanceof List<?> rows)) {
            throw new IllegalArgumentException(file + " is not a JMH JSON result (expected an array)");
        }
        List<Result> out = new ArrayList<>();
        for (Object row : rows) {
            Map<String, Object> r = (Map<String, Object>) row;
            String benchmark = ((String) r.get("benchmark")).replace(PKG, "");
            Map<String, String> params = new LinkedHashMap<>();
            Object p = r.get("params");
            if (p instanceof Map<?, ?> map) {
                map.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            }
            Map<String, Object> primary = (Map<String, Object>) r.get("primaryMetric");
            double alloc = Double.NaN;
            double allocError = Double.NaN;
            Object secondary = r.get("secondaryMetrics");
            if (secondary instanceof Map<?, ?> metrics && metrics.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm) {
                alloc = Json.number(norm.get("score"));
                allocError = Json.number(norm.get("scoreError"));
            }
            out.add(new Result(benchmark, params, (int) Json.number(r.get("threads")),
                    String.valueOf(r.get("jdkVersion")), Json.number(primary.get("score")),
                    Json.number(primary.get("scoreError")), String.valueOf(primary.get("scoreUnit")), alloc,
                    allocError));
        }
        return out;
    }

    /** The result of {@code benchmark} whose params include all of {@code params} ("k=v"), or null. */
    Result find(String benchmark, String... params) {
        for (Result result : results) {
            if (!result.benchmark().equals(benchmark)) {
                continue;
            }
            boolean all = true;
            for (String param : params) {
                String[] kv = param.split("=", 2);
                all &= kv[1].equals(result.params().get(kv[0]));
            }
            if (all) {
                return result;
            }
        }
        return null;
    }

    List<Ratio> ratios() {
        List<Ratio> ratios = new ArrayList<>();
        // 1. borrow/return cycle: connpool's throughput over each peer's
        for (String threads : List.of("08", "01", "32")) {
            for (String size : List.of("8", "32")) {
                String bench = "CycleBenchmark.threads" + threads;
                boolean headline = threads.equals("08") && size.equals("8");
                String where = "cycle " + Integer.parseInt(threads) + " thr, pool " + size + ": connpool / ";
                add(ratios, where + "commons-pool2", find(bench, "impl=connpool", "size=" + size),
                        find(bench, "impl=commons-pool2", "size=" + size), headline ? 5.0 : Double.NaN, true);
                add(ratios, where + "ConcurrentBag", find(bench, "impl=connpool", "size=" + size),
                        find(bench, "impl=concurrentbag", "size=" + size), headline ? 0.7 : Double.NaN, true);
            }
        }
        // 2. echo round trip
        add(ratios, "echo 64 B, 8 thr: connpool / dedicated socket", find("EchoBenchmark.roundTrip", "impl=connpool"),
                find("EchoBenchmark.roundTrip", "impl=dedicated"), 0.95, true);
        add(ratios, "echo 64 B, 8 thr: connpool / commons-pool2", find("EchoBenchmark.roundTrip", "impl=connpool"),
                find("EchoBenchmark.roundTrip", "impl=commons-pool2"), Double.NaN, true);
        add(ratios, "echo: connpool readTimeout 0 / dedicated", find("EchoBenchmark.roundTrip",
                "impl=connpool-no-read-timeout"), find("EchoBenchmark.roundTrip", "impl=dedicated"), Double.NaN, true);
        add(ratios, "echo: dedicated with SO_TIMEOUT / dedicated", find("EchoBenchmark.roundTrip",
                "impl=dedicated-read-timeout"), find("EchoBenchmark.roundTrip", "impl=dedicated"), Double.NaN, true);
        // 3. many servers: cost per cycle relative to one server = throughput(1) / throughput(n)
        Result one = find("ManyServersBenchmark.cycle", "servers=1");
        add(ratios, "cost per cycle, 100 servers / 1 server", one, find("ManyServersBenchmark.cycle", "servers=100"),
                Double.NaN, false, true);
        add(ratios, "cost per cycle, 1,000 servers / 1 server", one,
                find("ManyServersBenchmark.cycle", "servers=1000"), 1.5, false, true);
        // 4. rate limiter that never binds
        for (String threads : List.of("01", "08")) {
            String bench = "RateLimiterBenchmark.threads" + threads;
            add(ratios, "limiter not binding / no limiter, " + Integer.parseInt(threads) + " thr",
                    find(bench, "maxRps=1000000000"), find(bench, "maxRps=0"), Double.NaN, true);
        }
        // 6. virtual threads
        add(ratios, "2,000 virtual threads / 50 conns: connpool / ConcurrentBag",
                find("VirtualThreadBenchmark.batch", "impl=connpool"),
                find("VirtualThreadBenchmark.batch", "impl=concurrentbag"), 1.0, true);
        return ratios;
    }

    private static void add(List<Ratio> ratios, String label, Result a, Result b, double target, boolean atLeast) {
        add(ratios, label, a, b, target, atLeast, false);
    }

    /** Adds a/b (or b/a when {@code inverse}, for costs from throughputs) if both results exist. */
    private static void add(List<Ratio> ratios, String label, Result a, Result b, double target, boolean atLeast,
            boolean inverse) {
        if (a == null || b == null) {
            return;
        }
        double value = inverse ? a.score() / b.score() : b.score() == 0 ? Double.NaN : a.score() / b.score();
        double relative = Math.sqrt(square(a.error() / a.score()) + square(b.error() / b.score()));
        ratios.add(new Ratio(label, value, value * relative, target, atLeast));
    }

    private static double square(double x) {
        return x * x;
    }

    // ------------------------------------------------------------------ markdown

    String markdown(List<Ratio> ratios) {
        StringBuilder md = new StringBuilder();
        md.append("### Ratios\n\n");
        md.append("Throughput ratios unless the line says cost. Error: both scores' 99.9 % confidence half-widths,"
                + " combined.\n\n");
        md.append("| comparison | ratio | ± error | target | met |\n|---|---:|---:|---:|:---:|\n");
        for (Ratio ratio : ratios) {
            md.append("| ").append(ratio.label()).append(" | ").append(fmt(ratio.value())).append(" | ")
                    .append(fmt(ratio.error())).append(" | ").append(ratio.hasTarget() ? target(ratio) : "—")
                    .append(" | ").append(ratio.hasTarget() ? (ratio.met() ? "yes" : "**no**") : "").append(" |\n");
        }
        md.append("\n### Allocation per borrow/return (`-prof gc`, gc.alloc.rate.norm)\n\n");
        md.append("| benchmark | params | threads | bytes/op | ± error |\n|---|---|---:|---:|---:|\n");
        for (Result result : results) {
            if (!Double.isNaN(result.allocPerOp()) && (result.benchmark().startsWith("CycleBenchmark")
                    || result.benchmark().startsWith("EchoBenchmark"))) {
                md.append("| ").append(result.benchmark()).append(" | ").append(result.paramText()).append(" | ")
                        .append(result.threads()).append(" | ").append(fmt(result.allocPerOp())).append(" | ")
                        .append(fmt(result.allocError())).append(" |\n");
            }
        }
        md.append("\n### All scores\n\n");
        md.append("| benchmark | params | threads | score | ± error | unit | bytes/op | JDK |\n"
                + "|---|---|---:|---:|---:|---|---:|---|\n");
        for (Result result : results) {
            md.append("| ").append(result.benchmark()).append(" | ").append(result.paramText()).append(" | ")
                    .append(result.threads()).append(" | ").append(fmtScore(result.score())).append(" | ")
                    .append(fmtScore(result.error())).append(" | ").append(result.unit()).append(" | ")
                    .append(fmt(result.allocPerOp())).append(" | ").append(result.jdk()).append(" |\n");
        }
        return md.toString();
    }

    private static String target(Ratio ratio) {
        return (ratio.atLeast() ? "≥ " : "≤ ") + fmt(ratio.target());
    }

    static String fmt(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.3f",
                value);
    }

    private static String fmtScore(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    // ------------------------------------------------------------------ chart

    /** Horizontal bars on a log scale from 1.0: right of the axis connpool wins, left it loses. */
    void chart(List<Ratio> ratios, Path png) throws IOException {
        int rowHeight = 30;
        int labelWidth = 430;
        int plotWidth = 560;
        int top = 60;
        int width = labelWidth + plotWidth + 40;
        int height = top + rowHeight * Math.max(1, ratios.size()) + 70;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("connpool benchmark ratios (log scale; bar = ratio, whisker = error, black tick = target)",
                    12, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("green: target met, red: missed, grey: no target. Throughput ratios, except the"
                    + " 'cost' lines (lower is better).", 12, 44);

            double minLog = -2; // 0.01x
            double maxLog = 2; // 100x
            int x0 = labelWidth;
            java.util.function.DoubleToIntFunction x = v -> {
                double l = Math.log10(Math.max(1e-2, Math.min(1e2, v)));
                return x0 + (int) Math.round((l - minLog) / (maxLog - minLog) * plotWidth);
            };
            int bottom = top + rowHeight * ratios.size();
            g.setColor(new Color(230, 230, 230));
            for (double tick : new double[] {0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100}) {
                int tx = x.applyAsInt(tick);
                g.drawLine(tx, top - 5, tx, bottom);
            }
            g.setColor(Color.DARK_GRAY);
            for (double tick : new double[] {0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100}) {
                int tx = x.applyAsInt(tick);
                String text = (tick < 1 ? String.valueOf(tick) : String.valueOf((int) tick)) + "x";
                g.drawString(text, tx - g.getFontMetrics().stringWidth(text) / 2, bottom + 18);
            }
            g.setStroke(new BasicStroke(1.5f));
            int one = x.applyAsInt(1);
            g.drawLine(one, top - 5, one, bottom);

            for (int i = 0; i < ratios.size(); i++) {
                Ratio ratio = ratios.get(i);
                int y = top + i * rowHeight;
                g.setColor(Color.BLACK);
                g.drawString(ratio.label(), 10, y + rowHeight / 2 + 5);
                Color fill = !ratio.hasTarget() ? new Color(150, 150, 150)
                        : ratio.met() ? new Color(60, 160, 80) : new Color(210, 60, 50);
                if (!Double.isNaN(ratio.value()) && ratio.value() > 0) {
                    int end = x.applyAsInt(ratio.value());
                    g.setColor(fill);
                    g.fillRect(Math.min(one, end), y + 6, Math.max(2, Math.abs(end - one)), rowHeight - 12);
                    if (!Double.isNaN(ratio.error()) && ratio.error() > 0) {
                        int lo = x.applyAsInt(Math.max(1e-2, ratio.value() - ratio.error()));
                        int hi = x.applyAsInt(ratio.value() + ratio.error());
                        g.setColor(Color.BLACK);
                        g.drawLine(lo, y + rowHeight / 2, hi, y + rowHeight / 2);
                        g.drawLine(lo, y + 9, lo, y + rowHeight - 9);
                        g.drawLine(hi, y + 9, hi, y + rowHeight - 9);
                    }
                    String text = fmt(ratio.value()) + "x";
                    g.setColor(Color.BLACK);
                    int tx = ratio.value() >= 1 ? Math.min(end + 6, x0 + plotWidth - 40) : Math.max(end - 6
                            - g.getFontMetrics().stringWidth(text), x0 + 2);
                    g.drawString(text, tx, y + rowHeight / 2 - 1);
                }
                if (ratio.hasTarget()) {
                    int tx = x.applyAsInt(ratio.target());
                    g.setColor(Color.BLACK);
                    g.setStroke(new BasicStroke(3f));
                    g.drawLine(tx, y + 2, tx, y + rowHeight - 2);
                    g.setStroke(new BasicStroke(1.5f));
                }
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString("JDK " + results.stream().map(Result::jdk).distinct().reduce((a, b) -> a + ", " + b)
                    .orElse("?") + "; " + results.size() + " results", 10, height - 15);
        }
        finally {
            g.dispose();
        }
        if (png.getParent() != null) {
            Files.createDirectories(png.getParent());
        }
        ImageIO.write(image, "png", png.toFile());
    }
}
