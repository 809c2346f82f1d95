package io.connpool.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link EchoAlternationBenchmark} and reads its iterations one by one: each pair of neighbouring
 * iterations (A B or B A) gives a ratio A / B, and the result is their mean with its standard error over all
 * pairs of all forks, and each fork's own mean, so that a fork unlike the others shows.
 *
 * <pre>java -cp benchmarks.jar io.connpool.benchmarks.AlternatingIterations a=connpool b=dedicated forks=3
 *     pairs=20 [warmups=4 iterationMillis=1000] json=file</pre>
 */
public final class AlternatingIterations {

    private AlternatingIterations() {
    }

    public static void main(String[] args) throws RunnerException {
        MainArguments arguments = MainArguments.parse(args, "a", "b", "forks", "pairs", "warmups",
                "iterationMillis", "json");
        String a = arguments.text("a", "connpool");
        String b = arguments.text("b", EchoBenchmark.DEDICATED);
        int forks = arguments.integer("forks", 3);
        int pairs = arguments.integer("pairs", 20);
        int warmups = arguments.integer("warmups", 4);
        long iterationMillis = arguments.number("iterationMillis", 1000);
        String json = arguments.text("json", null);
        if (warmups % 2 != 0 || pairs < 1 || forks < 1) {
            throw new IllegalArgumentException("warmups= must be even (the measured iterations then start a pair),"
                    + " pairs= and forks= at least 1");
        }
        Options options = new OptionsBuilder()
                .include(EchoAlternationBenchmark.class.getSimpleName() + ".roundTrip$")
                .param("a", a)
                .param("b", b)
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(iterationMillis))
                .measurementIterations(2 * pairs)
                .measurementTime(TimeValue.milliseconds(iterationMillis))
                .build();
        List<RunResult> runs = new ArrayList<>(new Runner(options).run());
        if (runs.size() != 1) {
            throw new IllegalStateException("expected one result of EchoAlternationBenchmark, got " + runs.size());
        }
        List<double[]> forkScores = new ArrayList<>();
        for (BenchmarkResult fork : runs.get(0).getBenchmarkResults()) {
            forkScores.add(fork.getIterationResults().stream().map(IterationResult::getPrimaryResult)
                    .mapToDouble(result -> result.getScore()).toArray());
        }
        Split split = Split.of(forkScores, warmups);
        PairedRuns.Summary all = PairedRuns.Summary.of(split.a(), split.b());
        String line = String.format(Locale.ROOT, "{\"kind\":\"alternating\",\"benchmark\":\"EchoAlternationBenchmark"
                + ".roundTrip\",\"a\":\"impl=%s\",\"b\":\"impl=%s\",\"forks\":%d,\"pairs\":%d,\"iterationMillis\":%d,"
                + "\"mean\":%.4f,\"standardError\":%s,\"forkMeans\":%s}", a, b, forks, all.ratios().length,
                iterationMillis, all.mean(), all.standardErrorJson(),
                Arrays.toString(split.forkMeans()));
        System.out.println(line);
        if (json != null) {
            SideResults.append(Path.of(json), List.of(line));
        }
    }

    /** Each fork's measured iterations sorted into the two sides, pair by pair. */
    record Split(double[] a, double[] b, double[] forkMeans) {

        static Split of(List<double[]> forks, int warmups) {
            List<Double> a = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            double[] forkMeans = new double[forks.size()];
            for (int f = 0; f < forks.size(); f++) {
                double[] scores = forks.get(f);
                if (scores.length % 2 != 0) {
                    throw new IllegalArgumentException("fork " + (f + 1) + " has " + scores.length
                            + " iterations; a pair needs two");
                }
                double sum = 0;
                for (int i = 0; i < scores.length; i += 2) {
                    boolean aFirst = EchoAlternationBenchmark.sideOf(warmups + i) == 0;
                    double scoreA = aFirst ? scores[i] : scores[i + 1];
                    double scoreB = aFirst ? scores[i + 1] : scores[i];
                    a.add(scoreA);
                    b.add(scoreB);
                    sum += scoreA / scoreB;
                }
                forkMeans[f] = sum / (scores.length / 2);
            }
            return new Split(a.stream().mapToDouble(Double::doubleValue).toArray(),
                    b.stream().mapToDouble(Double::doubleValue).toArray(), forkMeans);
        }
    }
}
