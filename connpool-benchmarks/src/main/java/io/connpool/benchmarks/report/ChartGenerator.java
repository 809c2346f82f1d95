package io.connpool.benchmarks.report;

import io.connpool.benchmarks.report.Ratios.Ratio;
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
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Reads one run's results (JMH JSON and the harness's side results, {@code .jsonl}) and writes the tracked
 * figures: a PNG bar chart of the ratios (plain Java2D) and the markdown results section of
 * {@code docs/benchmarks.md} ({@link MarkdownReport}).
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.report.ChartGenerator --png out.png --md out.md a.json [b.json...] [side.jsonl...]</pre>
 *
 * <p>A ratio's error combines the two scores' JMH errors (99.9 % confidence half-widths) as relative errors in
 * quadrature; it is "n/a" when a score has no error (a single iteration) or comes from outside JMH.
 */
public final class ChartGenerator {

    private final Results results;

    ChartGenerator(Results results) {
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
            System.err.println("usage: ChartGenerator [--png chart.png] [--md report.md] result.json... [side.jsonl...]");
            System.exit(2);
        }
        Results results = Results.read(inputs);
        List<Ratio> targets = Ratios.targets(results);
        List<Ratio> others = Ratios.others(results);
        if (png != null) {
            List<Ratio> charted = new ArrayList<>();
            for (Ratio ratio : targets) {
                if (ratio.chart()) {
                    charted.add(ratio);
                }
            }
            for (Ratio ratio : others) {
                if (ratio.label().startsWith("read timeout")) {
                    charted.add(ratio);
                }
            }
            new ChartGenerator(results).chart(charted, png);
        }
        if (md != null) {
            Files.writeString(md, new MarkdownReport(results).render(targets, others), StandardCharsets.UTF_8);
        }
        for (Ratio ratio : targets) {
            System.out.printf(Locale.ROOT, "%-80s %10s ± %-8s %s%n", ratio.label(), fmt(ratio.value()),
                    fmt(ratio.error()), ratio.hasTarget() ? "target " + MarkdownReport.bound(ratio)
                            + (ratio.met() ? "  met" : "  MISSED") : "");
        }
    }

    private static String fmt(double value) {
        return MarkdownReport.fmt(value);
    }

    // ------------------------------------------------------------------ chart

    /** Horizontal bars on a log scale from 1.0: right of the axis connpool wins, left it loses. */
    void chart(List<Ratio> ratios, Path png) throws IOException {
        int rowHeight = 30;
        int labelWidth = 560;
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
            g.drawString("connpool: issue 12 targets and read-timeout options (log scale; bar = ratio, whisker = error, black tick = target)",
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
            g.drawString("JDK " + results.jmh.stream().map(Results.Result::jdk).distinct()
                    .reduce((a, b) -> a + ", " + b).orElse("?") + "; " + results.jmh.size() + " JMH results", 10,
                    height - 15);
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
