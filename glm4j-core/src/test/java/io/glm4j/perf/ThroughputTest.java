package io.glm4j.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ThroughputTest {

    @Test
    void meanAndSampleDeviationOfThePerRunRatesAsLlamaBenchReportsThem() {
        // 64 tokens in 0.5 s, 0.25 s and 1 s: 128, 256 and 64 t/s.
        Throughput t = Throughput.of(64, new long[] {500_000_000L, 250_000_000L, 1_000_000_000L});
        assertThat(t.samples()).containsExactly(new double[] {128, 256, 64}, within(1e-9));
        assertThat(t.mean()).isCloseTo(448.0 / 3, within(1e-9));
        // Σ(x − mean)² = 19114.67 over n − 1 = 2
        assertThat(t.sd()).isCloseTo(Math.sqrt((Math.pow(128 - 448.0 / 3, 2) + Math.pow(256 - 448.0 / 3, 2) + Math.pow(64 - 448.0 / 3, 2)) / 2), within(1e-9))
                .isCloseTo(97.76, within(0.01));
        assertThat(t.seconds()).isCloseTo(1.75, within(1e-9));
    }

    @Test
    void oneRunHasNoDeviation() {
        assertThat(Throughput.of(10, new long[] {1_000_000_000L}).sd()).isZero();
    }
}
