package io.connpool.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PairedRunsTest {

    @Test
    void theOrderAlternatesSoThatEachSideRunsFirstInHalfThePairs() {
        assertThat(PairedRuns.bFirst(0)).isFalse();
        assertThat(PairedRuns.bFirst(1)).isTrue();
        assertThat(PairedRuns.bFirst(2)).isFalse();
        assertThat(PairedRuns.bFirst(3)).isTrue();
    }

    @Test
    void aSteadyDriftCancelsInTheMeanOfThePairRatios() {
        // the machine gets 2 % faster with every fork; A is truly 0.95 of B
        double[] a = new double[8];
        double[] b = new double[8];
        int fork = 0;
        for (int pair = 0; pair < 8; pair++) {
            for (boolean second : new boolean[] {false, true}) {
                double machine = 1 + 0.02 * fork++;
                if (PairedRuns.bFirst(pair) == second) {
                    a[pair] = 95 * machine;
                }
                else {
                    b[pair] = 100 * machine;
                }
            }
        }
        PairedRuns.Summary summary = PairedRuns.Summary.of(a, b);
        assertThat(summary.mean()).isCloseTo(0.95, within(0.001));
        // run in blocks (all of A, then all of B) the same drift would give A / B = 0.95 * 1.07 / 1.23
        assertThat(summary.ratios()).hasSize(8);
    }

    @Test
    void theStandardErrorIsThatOfTheMeanOfTheRatios() {
        PairedRuns.Summary summary = PairedRuns.Summary.of(new double[] {90, 110, 100}, new double[] {100, 100, 100});
        assertThat(summary.ratios()).containsExactly(0.9, 1.1, 1.0);
        assertThat(summary.mean()).isCloseTo(1.0, within(1e-12));
        assertThat(summary.standardError()).isCloseTo(0.1 / Math.sqrt(3), within(1e-12));
    }

    @Test
    void onePairHasNoErrorAndUnevenSidesAreRefused() {
        assertThat(PairedRuns.Summary.of(new double[] {95}, new double[] {100}).standardError()).isNaN();
        assertThatIllegalArgumentException().isThrownBy(() -> PairedRuns.Summary.of(new double[] {1, 2},
                new double[] {1})).withMessageContaining("2 and 1");
    }
}
