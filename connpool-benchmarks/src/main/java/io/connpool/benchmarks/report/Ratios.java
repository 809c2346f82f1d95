package io.connpool.benchmarks.report;

import io.connpool.benchmarks.report.Results.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The comparisons the project tracks, issue 12's targets first. Each is a ratio of two scores (throughputs unless
 * the label says cost) with the error of both combined, or a value against a bound (bytes per operation).
 */
final class Ratios {

    /**
     * A tracked figure; {@code atLeast} says which side of the target passes; {@code unit} is "x" for ratios.
     * Only ratios with {@code chart} go into the chart.
     */
    record Ratio(String label, double value, double error, double target, boolean atLeast, String unit,
            boolean chart) {

        boolean hasTarget() {
            return !Double.isNaN(target);
        }

        boolean met() {
            return !Double.isNaN(value) && (atLeast ? value >= target : value <= target);
        }
    }

    static final double NONE = Double.NaN;
    static final String[] READ_TIMEOUT_OPTIONS = {"so-timeout-channel", "so-timeout-plain", "watchdog-queue",
            "watchdog-sweep", "watchdog-sweep-coarse", "selector", "none-plain"};

    private final Results results;
    /** Targets keep their row when a score is missing, so every target shows up, "not measured". */
    private final boolean required;
    private final List<Ratio> out = new ArrayList<>();

    private Ratios(Results results, boolean required) {
        this.results = results;
        this.required = required;
    }

    /** The targets of issue 12, in its order. */
    static List<Ratio> targets(Results results) {
        Ratios r = new Ratios(results, true);
        for (String threads : List.of("08", "32")) {
            String bench = "CycleBenchmark.threads" + threads;
            String where = "cycle " + Integer.parseInt(threads) + " thr, pool 8: connpool / ";
            r.ratio(where + "HikariCP full pool", r.cycle(bench, "connpool"), r.cycle(bench, "hikaricp"), 1.5, true);
            r.ratio(where + "commons-pool2", r.cycle(bench, "connpool"), r.cycle(bench, "commons-pool2"), 8, true);
            r.ratio(where + "ConcurrentBag (aim)", r.cycle(bench, "connpool"), r.cycle(bench, "concurrentbag"), 0.5,
                    true);
        }
        String echoTarget = "echo 64 B, 8 thr, default readTimeout: connpool / dedicated socket, no timeout";
        Map<String, Object> alternating = alternatingEcho(results, "connpool");
        Map<String, Object> paired = pairedEcho(results);
        if (alternating != null) {
            r.out.add(new Ratio(echoTarget + " (mean of " + (int) Results.number(alternating, "pairs")
                    + " pairs of neighbouring iterations in " + (int) Results.number(alternating, "forks")
                    + " JVMs, ± standard error)", Results.number(alternating, "mean"),
                    Results.number(alternating, "standardError"), 0.95, true, "x", true));
        }
        else if (paired != null) {
            r.out.add(pairedRow(echoTarget, paired, 0.95));
        }
        else {
            r.ratio(echoTarget, r.echo("connpool"), r.echo("dedicated"), 0.95, true);
        }
        r.bytes("B/op, acquire/release, connpool 8 thr", r.cycle("CycleBenchmark.threads08", "connpool"));
        r.bytes("B/op, dial-free TLS borrow, connpool 8 thr", results.find("TlsBorrowBenchmark.borrow"));
        r.ratio("rate limiter not binding / no limiter, 8 thr", results.find("RateLimiterBenchmark.threads08",
                "maxRps=1000000000"), results.find("RateLimiterBenchmark.threads08", "maxRps=0"), 0.8, true);
        r.ratio("cost of one scrape, 1,000 servers / 100", results.find("ScrapeBenchmark.scrape", "servers=1000"),
                results.find("ScrapeBenchmark.scrape", "servers=100"), 15, false);
        Map<String, Object> tailConnpool = results.lastSide("tail", "impl=connpool");
        Map<String, Object> tailHikari = results.lastSide("tail", "impl=hikaricp");
        r.plain("tail, 32 thr / 8 conns: acquire p99.9 cost, connpool / HikariCP", Results.number(tailConnpool,
                "p999Us") / Results.number(tailHikari, "p999Us"), 1.0, false, "x", true);
        r.plain("tail: fewest acquires of any thread / mean, connpool (no thread starved)",
                Results.number(tailConnpool, "opsMin") / Results.number(tailConnpool, "opsMean"), 0.5, true, "x",
                true);
        Result one = results.find("ManyServersBenchmark.cycle", "servers=1");
        r.cost("cost per cycle, 1,000 servers / 1 server", one, results.find("ManyServersBenchmark.cycle",
                "servers=1000"), 1.5);
        r.ratio("2,000 virtual threads / 50 conns: connpool / HikariCP full pool",
                results.find("VirtualThreadBenchmark.batch", "impl=connpool"),
                results.find("VirtualThreadBenchmark.batch", "impl=hikaricp"), 1.0, true);
        return r.out;
    }

    /** Every other comparison worth a line. */
    static List<Ratio> others(Results results) {
        Ratios r = new Ratios(results, false);
        for (String threads : List.of("01", "08", "32")) {
            String bench = "CycleBenchmark.threads" + threads;
            String where = "cycle " + Integer.parseInt(threads) + " thr, pool 8: ";
            if (threads.equals("01")) {
                r.ratio(where + "connpool / HikariCP full pool", r.cycle(bench, "connpool"), r.cycle(bench, "hikaricp"),
                        NONE, true);
                r.ratio(where + "connpool / commons-pool2", r.cycle(bench, "connpool"),
                        r.cycle(bench, "commons-pool2"), NONE, true);
                r.ratio(where + "connpool / ConcurrentBag", r.cycle(bench, "connpool"),
                        r.cycle(bench, "concurrentbag"), NONE, true);
            }
            r.ratio(where + "HikariCP full pool / ConcurrentBag", r.cycle(bench, "hikaricp"),
                    r.cycle(bench, "concurrentbag"), NONE, true);
        }
        Map<String, Object> control = alternatingEcho(results, "dedicated");
        if (control != null) { // what the target's method reads when both sides are the same code
            r.out.add(new Ratio("echo, A/A control of the target's method: dedicated / dedicated (mean of "
                    + (int) Results.number(control, "pairs") + " pairs of neighbouring iterations, ± standard error)",
                    Results.number(control, "mean"), Results.number(control, "standardError"), NONE, true, "x", true));
        }
        Map<String, Object> paired = pairedEcho(results);
        if (paired != null && alternatingEcho(results, "connpool") != null) {
            r.out.add(pairedRow("echo: connpool / dedicated", paired, NONE));
        }
        if (paired != null || control != null) { // then the target above is not the main pass's figure
            r.ratio("echo, main run (each side's forks in a block): connpool / dedicated", r.echo("connpool"),
                    r.echo("dedicated"), NONE, true);
        }
        r.ratio("echo: connpool / HikariCP full pool", r.echo("connpool"), r.echo("hikaricp"), NONE, true);
        r.ratio("echo: connpool / commons-pool2", r.echo("connpool"), r.echo("commons-pool2"), NONE, true);
        r.ratio("echo: connpool readTimeout 0 / dedicated", r.echo("connpool-no-read-timeout"), r.echo("dedicated"),
                NONE, true);
        r.ratio("echo: dedicated with SO_TIMEOUT / dedicated", r.echo("dedicated-read-timeout"), r.echo("dedicated"),
                NONE, true);
        r.ratio("echo: HikariCP full pool / dedicated", r.echo("hikaricp"), r.echo("dedicated"), NONE, true);
        Result limit = results.find("ReadTimeoutBenchmark.roundTrip", "option=none-channel");
        for (String option : READ_TIMEOUT_OPTIONS) {
            r.ratio("read timeout 30 s, socket per thread: " + option + " / none-channel",
                    results.find("ReadTimeoutBenchmark.roundTrip", "option=" + option), limit, NONE, true);
        }
        r.ratio("rate limiter not binding / no limiter, 1 thr", results.find("RateLimiterBenchmark.threads01",
                "maxRps=1000000000"), results.find("RateLimiterBenchmark.threads01", "maxRps=0"), NONE, true);
        r.cost("cost per cycle, 100 servers / 1 server", results.find("ManyServersBenchmark.cycle", "servers=1"),
                results.find("ManyServersBenchmark.cycle", "servers=100"), NONE);
        r.ratio("2,000 virtual threads: connpool / ConcurrentBag", results.find("VirtualThreadBenchmark.batch",
                "impl=connpool"), results.find("VirtualThreadBenchmark.batch", "impl=concurrentbag"), NONE, true);
        // sample-time scores are times per operation: throughput during / without = time without / time during
        Result quiet = results.find("ServerListChangeBenchmark.traffic:borrow", "change=none");
        Result busy = results.find("ServerListChangeBenchmark.traffic:borrow", "change=100+100");
        r.ratio("server-list change: borrower throughput during changes / without", quiet, busy, NONE, true);
        if (quiet != null && busy != null) {
            r.plain("server-list change: borrower p99.9 cost, during / without", busy.percentile("99.9")
                    / quiet.percentile("99.9"), NONE, false, "x", true);
        }
        return r.out;
    }

    /** The echo target measured by {@code PairedRuns}, connpool against the dedicated socket, or null. */
    private static Map<String, Object> pairedEcho(Results results) {
        return results.lastSide("paired", "benchmark=EchoBenchmark.roundTrip", "a=impl=connpool",
                "b=impl=dedicated");
    }

    /**
     * The echo round trip measured by {@code AlternatingIterations}, {@code a} against the dedicated socket
     * ({@code a=dedicated}: its A/A control), or null.
     */
    private static Map<String, Object> alternatingEcho(Results results, String a) {
        return results.lastSide("alternating", "benchmark=EchoAlternationBenchmark.roundTrip", "a=impl=" + a,
                "b=impl=dedicated");
    }

    private static Ratio pairedRow(String what, Map<String, Object> paired, double bound) {
        return new Ratio(what + " (mean of " + (int) Results.number(paired, "pairs")
                + " interleaved pairs of forks, ± standard error)", Results.number(paired, "mean"),
                Results.number(paired, "standardError"), bound, true, "x", true);
    }

    private Result cycle(String bench, String impl) {
        return results.find(bench, "impl=" + impl, "size=8");
    }

    private Result echo(String impl) {
        return results.find("EchoBenchmark.roundTrip", "impl=" + impl);
    }

    /** a / b with both errors combined, if both exist. */
    private void ratio(String label, Result a, Result b, double target, boolean atLeast) {
        if (a == null || b == null) {
            missing(label, target, atLeast, "x");
            return;
        }
        double value = a.score() / b.score();
        double relative = Math.sqrt(square(a.error() / a.score()) + square(b.error() / b.score()));
        out.add(new Ratio(label, value, value * relative, target, atLeast, "x", true));
    }

    /** The cost ratio b / a of two throughputs (lower is better). */
    private void cost(String label, Result a, Result b, double target) {
        if (a == null || b == null) {
            missing(label, target, false, "x");
            return;
        }
        double value = a.score() / b.score();
        double relative = Math.sqrt(square(a.error() / a.score()) + square(b.error() / b.score()));
        out.add(new Ratio(label, value, value * relative, target, false, "x", true));
    }

    /** Bytes per operation: 0 is the target, and anything below 1 B/op is the harness's own noise. */
    private void bytes(String label, Result a) {
        if (a != null && !Double.isNaN(a.allocPerOp())) {
            out.add(new Ratio(label, a.allocPerOp(), a.allocError(), 1.0, false, "B/op", false));
        }
        else {
            missing(label, 1.0, false, "B/op");
        }
    }

    private void plain(String label, double value, double target, boolean atLeast, String unit, boolean chart) {
        if (!Double.isNaN(value)) {
            out.add(new Ratio(label, value, Double.NaN, target, atLeast, unit, chart));
        }
        else {
            missing(label, target, atLeast, unit);
        }
    }

    private void missing(String label, double target, boolean atLeast, String unit) {
        if (required) {
            out.add(new Ratio(label, Double.NaN, Double.NaN, target, atLeast, unit, false));
        }
    }

    private static double square(double x) {
        return x * x;
    }
}
