package io.connpool.benchmarks.report;

import io.connpool.benchmarks.report.Ratios.Ratio;
import io.connpool.benchmarks.report.Results.Result;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results part of {@code docs/benchmarks.md}: targets, ratios and a table per benchmark. */
final class MarkdownReport {

    private final Results results;
    private final StringBuilder md = new StringBuilder();

    MarkdownReport(Results results) {
        this.results = results;
    }

    String render(List<Ratio> targets, List<Ratio> others) {
        md.append("### Targets (issue 12)\n\n");
        md.append("Ratios of two scores from the same run (throughput unless the line says cost); error: both scores'"
                + " 99.9 % confidence half-widths combined (n/a for a single iteration or a figure outside JMH)."
                + " Allocation: below 1 B/op is the harness's own noise (one object is at least 16 B).\n\n");
        ratioTable(targets, true);
        md.append("\n### Other comparisons\n\n");
        ratioTable(others, false);
        cycle();
        echo();
        readTimeout();
        tail();
        scrape();
        serverListChange();
        primitives();
        allScores();
        return md.toString();
    }

    private void ratioTable(List<Ratio> ratios, boolean withTarget) {
        md.append(withTarget ? "| target | measured | ± error | bound | met |\n|---|---:|---:|---:|:---:|\n"
                : "| comparison | ratio | ± error |\n|---|---:|---:|\n");
        for (Ratio ratio : ratios) {
            String unit = ratio.unit().equals("x") || Double.isNaN(ratio.value()) ? "" : " " + ratio.unit();
            md.append("| ").append(ratio.label()).append(" | ").append(fmt(ratio.value())).append(unit).append(" | ")
                    .append(fmt(ratio.error()));
            if (withTarget) {
                md.append(" | ").append(ratio.hasTarget() ? bound(ratio) : "—").append(" | ")
                        .append(Double.isNaN(ratio.value()) ? "not measured"
                                : ratio.hasTarget() ? (ratio.met() ? "yes" : "**no**") : "");
            }
            md.append(" |\n");
        }
    }

    static String bound(Ratio ratio) {
        return (ratio.atLeast() ? "≥ " : "≤ ") + fmt(ratio.target());
    }

    private void cycle() {
        md.append("\n### Acquire/release (`CycleBenchmark`, pool of 8)\n\n");
        md.append("CPU ns per cycle: each worker thread's own CPU time (`CpuTimePerCycle`, best round), which holds"
                + " up on a shared machine.\n\n");
        md.append("| impl | threads | ops/s | ± error | B/op | CPU ns/cycle |\n|---|---:|---:|---:|---:|---:|\n");
        for (String threads : List.of("01", "08", "32")) {
            for (String impl : List.of("connpool", "hikaricp", "commons-pool2", "concurrentbag")) {
                Result r = results.find("CycleBenchmark.threads" + threads, "impl=" + impl, "size=8");
                Map<String, Object> cpu = results.lastSide("cpu", "impl=" + impl, "op=cycle",
                        "threads=" + Integer.parseInt(threads), "size=8");
                if (r == null && cpu == null) {
                    continue;
                }
                md.append("| ").append(impl).append(" | ").append(Integer.parseInt(threads)).append(" | ")
                        .append(r == null ? "" : score(r.score())).append(" | ")
                        .append(r == null ? "" : score(r.error())).append(" | ")
                        .append(r == null ? "" : fmt(r.allocPerOp())).append(" | ")
                        .append(fmt(Results.number(cpu, "cpuNs"))).append(" |\n");
            }
        }
    }

    private void echo() {
        md.append("\n### Echo round trip (`EchoBenchmark`, 64 B, 8 threads, pool of 8)\n\n");
        md.append("CPU ns per round trip: the whole process (clients, echo server, system calls), `CpuTimePerCycle"
                + " op=echo`.\n\n");
        md.append("| impl | ops/s | ± error | B/op | CPU ns/round trip |\n|---|---:|---:|---:|---:|\n");
        for (String impl : List.of("dedicated", "dedicated-read-timeout", "connpool", "connpool-no-read-timeout",
                "hikaricp", "commons-pool2")) {
            Result r = results.find("EchoBenchmark.roundTrip", "impl=" + impl);
            Map<String, Object> cpu = results.lastSide("cpu", "impl=" + impl, "op=echo", "threads=8");
            if (r == null && cpu == null) {
                continue;
            }
            md.append("| ").append(impl).append(" | ").append(r == null ? "" : score(r.score())).append(" | ")
                    .append(r == null ? "" : score(r.error())).append(" | ")
                    .append(r == null ? "" : fmt(r.allocPerOp())).append(" | ")
                    .append(fmt(Results.number(cpu, "cpuNs"))).append(" |\n");
        }
    }

    private void readTimeout() {
        md.append("\n### Read-timeout options (`ReadTimeoutBenchmark`, `TimeoutCheck`)\n\n");
        md.append("A socket per thread, 8 threads, 64 B echo, every read bounded by 30 s; `none-channel` (today's"
                + " socket type, no timeout) is the physical limit. Timeout check: 8 connections at once to a server"
                + " that never answers, read timeout 200 ms, 3 rounds; it must fire after at least 200 ms and within"
                + " the option's margin, and leave the connection closed.\n\n");
        md.append("| option | ops/s | ± error | / none-channel | CPU ns/round trip | B/op | timeout fired after (ms)"
                + " | allowed (ms) | check |\n|---|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
        Result limit = results.find("ReadTimeoutBenchmark.roundTrip", "option=none-channel");
        String[] all = new String[Ratios.READ_TIMEOUT_OPTIONS.length + 1];
        all[0] = "none-channel";
        System.arraycopy(Ratios.READ_TIMEOUT_OPTIONS, 0, all, 1, Ratios.READ_TIMEOUT_OPTIONS.length);
        for (String option : all) {
            Result r = results.find("ReadTimeoutBenchmark.roundTrip", "option=" + option);
            Map<String, Object> cpu = results.lastSide("cpu", "impl=rt:" + option, "op=echo", "threads=8");
            Map<String, Object> check = results.lastSide("timeout-check", "option=" + option);
            if (r == null && cpu == null && check == null) {
                continue;
            }
            md.append("| ").append(option).append(" | ").append(r == null ? "" : score(r.score())).append(" | ")
                    .append(r == null ? "" : score(r.error())).append(" | ")
                    .append(r == null || limit == null ? "" : fmt(r.score() / limit.score())).append(" | ")
                    .append(fmt(Results.number(cpu, "cpuNs"))).append(" | ")
                    .append(r == null ? "" : fmt(r.allocPerOp())).append(" | ");
            if (check == null) {
                md.append(option.startsWith("none") ? "never (no timeout) | — | — |\n" : " | | |\n");
            }
            else {
                md.append(fmt(Results.number(check, "earliestMs"))).append("–")
                        .append(fmt(Results.number(check, "latestMs"))).append(" | ≤ ")
                        .append(fmt(Results.number(check, "timeoutMs") + Results.number(check, "marginMs")))
                        .append(" | ").append(Boolean.TRUE.equals(check.get("passed")) ? "ok, closed" : "**failed**")
                        .append(" |\n");
            }
        }
    }

    private void tail() {
        md.append("\n### Tail latency under oversubscription (`TailLatencyBenchmark`)\n\n");
        md.append("32 threads over 8 connections, each borrow held 20 µs (busy spin). Acquire latency of every"
                + " acquire (HdrHistogram), acquires per thread over the measurement, acquires that gave up at the"
                + " 5 s wait; the last column is JMH's sample of the whole operation (wait + hold + return).\n\n");
        md.append("| impl | p50 µs | p99 µs | p99.9 µs | max µs | acquires per thread: min / mean / max | timed out"
                + " | whole op p99.9 µs |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String impl : List.of("connpool", "hikaricp", "commons-pool2")) {
            Map<String, Object> t = results.lastSide("tail", "impl=" + impl);
            Result r = results.find("TailLatencyBenchmark.borrowHoldReturn", "impl=" + impl);
            if (t == null && r == null) {
                continue;
            }
            md.append("| ").append(impl).append(" | ").append(fmt(Results.number(t, "p50Us"))).append(" | ")
                    .append(fmt(Results.number(t, "p99Us"))).append(" | ").append(fmt(Results.number(t, "p999Us")))
                    .append(" | ").append(fmt(Results.number(t, "maxUs"))).append(" | ")
                    .append(score(Results.number(t, "opsMin"))).append(" / ").append(score(Results.number(t,
                            "opsMean"))).append(" / ").append(score(Results.number(t, "opsMax"))).append(" | ")
                    .append(score(Results.number(t, "timeouts"))).append(" | ")
                    .append(r == null ? "" : fmt(r.percentile("99.9"))).append(" |\n");
        }
    }

    private void scrape() {
        md.append("\n### Metrics scrape (`ScrapeBenchmark`)\n\n");
        md.append("One `PrometheusMeterRegistry.scrape()` with `ConnPoolMetrics` bound; servers are loopback ports"
                + " nobody listens on, `minIdlePerServer(0)`, so nothing dials.\n\n");
        md.append("| servers | µs per scrape | ± error |\n|---:|---:|---:|\n");
        for (String servers : List.of("100", "1000")) {
            Result r = results.find("ScrapeBenchmark.scrape", "servers=" + servers);
            if (r != null) {
                md.append("| ").append(servers).append(" | ").append(fmt(r.score())).append(" | ")
                        .append(fmt(r.error())).append(" |\n");
            }
        }
    }

    private void serverListChange() {
        md.append("\n### Server-list change under traffic (`ServerListChangeBenchmark`)\n\n");
        md.append("1,000 servers, one connection each, 8 borrowing threads; a ninth publishes new lists through the"
                + " pool's `ServerSource` back to back, each 100 additions + 100 removals from the one before, each"
                + " timed until in effect (every added server holds a connection). Sample-time scores, µs.\n\n");
        md.append("| change | borrow mean | borrow p50 | p99 | p99.9 | max | one change p50 | one change max |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String change : List.of("none", "100+100")) {
            Result b = results.find("ServerListChangeBenchmark.traffic:borrow", "change=" + change);
            Result c = results.find("ServerListChangeBenchmark.traffic:change", "change=" + change);
            if (b == null) {
                continue;
            }
            boolean none = change.equals("none");
            md.append("| ").append(change).append(" | ").append(fmt(b.score())).append(" | ")
                    .append(fmt(b.percentile("50.0"))).append(" | ").append(fmt(b.percentile("99.0"))).append(" | ")
                    .append(fmt(b.percentile("99.9"))).append(" | ").append(fmt(b.percentile("100.0"))).append(" | ")
                    .append(none || c == null ? "—" : fmt(c.percentile("50.0"))).append(" | ")
                    .append(none || c == null ? "—" : fmt(c.percentile("100.0"))).append(" |\n");
        }
    }

    private void primitives() {
        md.append("\n### Primitives (`PrimitivesBenchmark`, ns per operation)\n\n");
        md.append("| primitive | threads | ns/op | ± error |\n|---|---:|---:|---:|\n");
        for (Result r : results.jmh) {
            if (r.benchmark().startsWith("PrimitivesBenchmark.")) {
                md.append("| ").append(r.benchmark().substring("PrimitivesBenchmark.".length())).append(" | ")
                        .append(r.threads()).append(" | ").append(fmt(r.score())).append(" | ")
                        .append(fmt(r.error())).append(" |\n");
            }
        }
    }

    private void allScores() {
        md.append("\n### All scores\n\n");
        md.append("| benchmark | params | threads | score | ± error | unit | bytes/op | JDK |\n"
                + "|---|---|---:|---:|---:|---|---:|---|\n");
        for (Result r : results.jmh) {
            md.append("| ").append(r.benchmark()).append(" | ").append(r.paramText()).append(" | ")
                    .append(r.threads()).append(" | ").append(score(r.score())).append(" | ")
                    .append(score(r.error())).append(" | ").append(r.unit()).append(" | ")
                    .append(fmt(r.allocPerOp())).append(" | ").append(r.jdk()).append(" |\n");
        }
    }

    static String fmt(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%,.0f" : Math.abs(value) >= 10 ? "%.1f"
                : "%.3f", value);
    }

    static String score(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,.0f", value);
    }
}
