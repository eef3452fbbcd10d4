package io.glm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The block kernels of attention against their definitions, with a row count that leaves a last
 * chunk of fewer than four rows, a block whose positions are not a whole number of vector pairs and
 * a head size that is not a whole number of vector pairs.
 */
class AttentionKernelsTest {
    private static final int L = AttentionKernels.LANES, ROWS = 5, BLOCK = 4 * L, HD = 3 * L;
    private final Random random = new Random(7);

    @Test
    void scoresAreScaledDotProductsWithKeysAsColumns() {
        int count = 3 * L - 2, stride = BLOCK + L;
        float[] q = gaussian(ROWS * HD + 5), keys = gaussian(HD * BLOCK);
        int[] rowAt = {5, 5 + HD, 5 + 2 * HD, 5 + 3 * HD, 5 + 4 * HD};
        float[] scores = new float[ROWS * stride];

        AttentionKernels.scores(q, rowAt, ROWS, HD, keys, BLOCK, count, 0.5f, scores, stride);

        for (int r = 0; r < ROWS; r++) {
            for (int p = 0; p < AttentionKernels.padded(count); p++) {
                double expected = 0;
                for (int d = 0; d < HD; d++) expected += (double) q[rowAt[r] + d] * keys[d * BLOCK + p];
                assertThat(scores[r * stride + p]).as("row %d, position %d", r, p).isCloseTo((float) (0.5 * expected), within(1e-4f));
            }
        }
    }

    @Test
    void aSoftmaxStepMasksShiftsAndRescales() {
        int width = 2 * L;
        float[] scores = gaussian(ROWS * width), before = scores.clone();
        int[] counted = {width, width - 3, 1, 0, width};
        float[] max = {Float.NEGATIVE_INFINITY, 0.5f, 10f, 1f, Float.NEGATIVE_INFINITY};
        float[] sums = new float[ROWS * L], out = new float[ROWS * HD];
        java.util.Arrays.fill(sums, 2f);
        java.util.Arrays.fill(out, 3f);

        AttentionKernels.softmaxStep(scores, width, ROWS, width, counted, max, sums, out, HD);

        float[] oldMax = {Float.NEGATIVE_INFINITY, 0.5f, 10f, 1f, Float.NEGATIVE_INFINITY};
        for (int r = 0; r < ROWS; r++) {
            float m = oldMax[r];
            for (int i = 0; i < counted[r]; i++) m = Math.max(m, before[r * width + i]);
            assertThat(max[r]).as("row %d's maximum", r).isEqualTo(m);
            double blockSum = 0;
            for (int i = 0; i < width; i++) {
                double expected = i < counted[r] ? Math.exp(before[r * width + i] - m) : 0;
                blockSum += expected;
                assertThat(scores[r * width + i]).as("row %d, position %d", r, i).isCloseTo((float) expected, within(1e-6f));
            }
            double rescale = Math.exp(oldMax[r] - m);
            assertThat(AttentionKernels.total(sums, r * L)).as("row %d's sum", r).isCloseTo((float) (L * 2 * rescale + blockSum), within(1e-4f));
            assertThat(out[r * HD + HD - 1]).as("row %d's output", r).isCloseTo((float) (3 * rescale), within(1e-6f));
        }
    }

    @Test
    void valuesAccumulateWeightedByPosition() {
        int count = 2 * L + 1, stride = BLOCK;
        float[] weights = gaussian(ROWS * stride), values = gaussian(count * HD), out = gaussian(ROWS * HD), start = out.clone();

        AttentionKernels.accumulateValues(weights, stride, ROWS, values, count, HD, out);

        for (int r = 0; r < ROWS; r++) {
            for (int d = 0; d < HD; d++) {
                double expected = start[r * HD + d];
                for (int p = 0; p < count; p++) expected += (double) weights[r * stride + p] * values[p * HD + d];
                assertThat(out[r * HD + d]).as("row %d, dim %d", r, d).isCloseTo((float) expected, within(1e-4f));
            }
        }
    }

    private float[] gaussian(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }
}
