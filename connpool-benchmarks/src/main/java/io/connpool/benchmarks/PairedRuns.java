package io.connpool.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs one benchmark for two values of a parameter as interleaved single-fork pairs, A B, B A, A B, ..., and
 * reports the mean of the per-pair ratios A / B with its standard error. For a ratio near a bound on a noisy
 * machine: JMH runs all forks of one value, then all of the other, so a drift of the machine over the minutes
 * between them (measured: scores rising by 10 % over a run in run order) goes into the ratio; and JMH's error
 * counts iterations within a fork as independent, while the scores of whole forks differ by 6-9 %. Each pair
 * here is measured within one minute, and the order alternates, so a steady drift cancels.
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.PairedRuns benchmark=EchoBenchmark.roundTrip param=impl
 *     a=connpool b=dedicated pairs=8 [warmups=3 warmupMillis=2000 iterations=5 iterationMillis=2000] json=file</pre>
 */
public final class PairedRuns {

    private PairedRuns() {
    }

    /** The mean of the per-pair ratios and its standard error (NaN for fewer than two pairs). */
    record Summary(double[] ratios, double mean, double standardError) {

        /** The standard error as a JSON value: {@code null} when there is none. */
        String standardErrorJson() {
            return Double.isNaN(standardError) ? "null" : String.format(Locale.ROOT, "%.4f", standardError);
        }

        static Summary of(double[] a, double[] b) {
            if (a.length != b.length || a.length == 0) {
                throw new IllegalArgumentException("need as many scores of each side, at least one; got "
                        + a.length + " and " + b.length);
            }
            double[] ratios = new double[a.length];
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                ratios[i] = a[i] / b[i];
                sum += ratios[i];
            }
            double mean = sum / ratios.length;
            if (ratios.length < 2) {
                return new Summary(ratios, mean, Double.NaN);
            }
            double squares = 0;
            for (double ratio : ratios) {
                squares += (ratio - mean) * (ratio - mean);
            }
            double deviation = Math.sqrt(squares / (ratios.length - 1));
            return new Summary(ratios, mean, deviation / Math.sqrt(ratios.length));
        }
    }

    /** Whether pair {@code pair} (from 0) runs B before A: every other one, so that a steady drift cancels. */
    static boolean bFirst(int pair) {
        return pair % 2 == 1;
    }

    public static void main(String[] args) throws RunnerException {
        MainArguments arguments = MainArguments.parse(args, "benchmark", "param", "a", "b", "pairs", "warmups",
                "warmupMillis", "iterations", "iterationMillis", "json");
        String benchmark = arguments.text("benchmark", null);
        String param = arguments.text("param", "impl");
        String a = arguments.text("a", null);
        String b = arguments.text("b", null);
        int pairs = arguments.integer("pairs", 8);
        int warmups = arguments.integer("warmups", 3);
        long warmupMillis = arguments.number("warmupMillis", 2000);
        int iterations = arguments.integer("iterations", 5);
        long iterationMillis = arguments.number("iterationMillis", 2000);
        String json = arguments.text("json", null);
        if (benchmark == null || a == null || b == null || pairs < 1) {
            throw new IllegalArgumentException("benchmark=, a= and b= are required, and pairs= at least 1");
        }
        double[] scoresA = new double[pairs];
        double[] scoresB = new double[pairs];
        for (int pair = 0; pair < pairs; pair++) {
            for (boolean second : new boolean[] {false, true}) {
                boolean runA = bFirst(pair) == second;
                String value = runA ? a : b;
                Options options = new OptionsBuilder()
                        .include(java.util.regex.Pattern.quote(benchmark) + "$")
                        .param(param, value)
                        .forks(1)
                        .warmupIterations(warmups)
                        .warmupTime(TimeValue.milliseconds(warmupMillis))
                        .measurementIterations(iterations)
                        .measurementTime(TimeValue.milliseconds(iterationMillis))
                        .build();
                double score = single(new Runner(options).run(), benchmark, param + "=" + value).getPrimaryResult()
                        .getScore();
                (runA ? scoresA : scoresB)[pair] = score;
                System.out.printf(Locale.ROOT, "pair %d: %s=%s %.1f%n", pair + 1, param, value, score);
            }
        }
        Summary summary = Summary.of(scoresA, scoresB);
        String line = String.format(Locale.ROOT, "{\"kind\":\"paired\",\"benchmark\":\"%s\",\"a\":\"%s=%s\","
                + "\"b\":\"%s=%s\",\"pairs\":%d,\"mean\":%.4f,\"standardError\":%s,\"ratios\":%s}", benchmark, param,
                a, param, b, pairs, summary.mean(), summary.standardErrorJson(),
                java.util.Arrays.toString(summary.ratios()));
        System.out.println(line);
        if (json != null) {
            SideResults.append(Path.of(json), List.of(line));
        }
    }

    private static RunResult single(java.util.Collection<RunResult> results, String benchmark, String what) {
        List<RunResult> found = new ArrayList<>(results);
        if (found.size() != 1) {
            throw new IllegalStateException("expected one result of " + benchmark + " with " + what + ", got "
                    + found.size() + "; is the benchmark name exact?");
        }
        return found.get(0);
    }
}
