package io.connpool.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlternatingIterationsTest {

    @Test
    void theSidesTakeTurnsInPairsThatAlternateWhichGoesFirst() {
        int[] sides = new int[8];
        for (int i = 0; i < sides.length; i++) {
            sides[i] = EchoAlternationBenchmark.sideOf(i);
        }
        assertThat(sides).containsExactly(0, 1, 1, 0, 0, 1, 1, 0);
    }

    @Test
    void eachFirstMeasuredIterationStartsAPairAfterAnEvenNumberOfWarmups() {
        // 4 warm-ups: the measured iterations are global 4.. (A B B A ...), so the split must not shift them
        double[] scores = {95, 100, 100, 95, 95, 100};
        AlternatingIterations.Split split = AlternatingIterations.Split.of(List.of(scores), 4);
        assertThat(split.a()).containsExactly(95, 95, 95);
        assertThat(split.b()).containsExactly(100, 100, 100);
        assertThat(split.forkMeans()[0]).isCloseTo(0.95, within(1e-12));
    }

    @Test
    void aDriftWithinAForkCancelsAndEachForkKeepsItsOwnMean() {
        // A is truly 0.95 of B; the first fork gets 1 % faster with every iteration, the second is slower overall
        double[] drifting = new double[40];
        double[] slow = new double[40];
        for (int i = 0; i < 40; i++) {
            double truth = EchoAlternationBenchmark.sideOf(i) == 0 ? 95 : 100;
            drifting[i] = truth * (1 + 0.01 * i);
            slow[i] = truth * 0.7;
        }
        AlternatingIterations.Split split = AlternatingIterations.Split.of(List.of(drifting, slow), 0);
        PairedRuns.Summary summary = PairedRuns.Summary.of(split.a(), split.b());
        assertThat(summary.ratios()).hasSize(40);
        assertThat(summary.mean()).isCloseTo(0.95, within(0.001));
        assertThat(split.forkMeans()).hasSize(2);
        assertThat(split.forkMeans()[1]).isCloseTo(0.95, within(1e-12));
    }

    @Test
    void aForkWithAnIterationOverAPairIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AlternatingIterations.Split.of(List.of(new double[] {1, 2, 3}), 0))
                .withMessageContaining("fork 1 has 3 iterations");
    }
}
