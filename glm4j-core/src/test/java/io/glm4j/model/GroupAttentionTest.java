package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Grouped attention with the online softmax, against the plain definition in float64
 * (scores, max-shifted exponentials, normalised weighted sum of values) for contexts shorter than a
 * block, exactly one block and several blocks, with widely spread scores so the running maximum moves.
 */
class GroupAttentionTest {
    private static final int KV_HEADS = 2, HD = 64, GROUP = 3;

    @ParameterizedTest
    @ValueSource(ints = {1, 37, GroupAttention.BLOCK, GroupAttention.BLOCK + 1, 3 * GroupAttention.BLOCK + 17})
    void matchesSoftmaxAttentionOverTheWholeContext(int positions) {
        Random random = new Random(positions);
        SequenceKvCache cache = new SequenceKvCache(KvCacheType.F32, 1, KV_HEADS, HD, positions, 1);
        float[][] keys = new float[positions][KV_HEADS * HD], values = new float[positions][KV_HEADS * HD];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < KV_HEADS * HD; i++) {
                keys[p][i] = (float) random.nextGaussian() * (1 + p % 7);
                values[p][i] = (float) random.nextGaussian();
            }
            cache.write(0, 0, p, keys[p], 0, values[p], 0);
            cache.commit(0, p);
        }
        float[] q = new float[KV_HEADS * GROUP * HD];
        for (int i = 0; i < q.length; i++) q[i] = (float) random.nextGaussian();
        float scale = (float) (1 / Math.sqrt(HD));
        float[] mixed = new float[q.length];
        int kvHead = 1, at = kvHead * GROUP * HD;

        new GroupAttention().attend(cache, 0, 0, positions, kvHead, GROUP, HD, scale, q, at, mixed, at);

        for (int g = 0; g < GROUP; g++) {
            double[] s = new double[positions];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p = 0; p < positions; p++) {
                for (int d = 0; d < HD; d++) s[p] += (double) q[at + g * HD + d] * keys[p][kvHead * HD + d];
                s[p] *= scale;
                max = Math.max(max, s[p]);
            }
            for (int p = 0; p < positions; p++) sum += s[p] = Math.exp(s[p] - max);
            for (int d = 0; d < HD; d++) {
                double expected = 0;
                for (int p = 0; p < positions; p++) expected += s[p] / sum * values[p][kvHead * HD + d];
                assertThat(mixed[at + g * HD + d]).as("%d positions, head %d, dim %d", positions, g, d).isCloseTo((float) expected, within(1e-4f));
            }
        }
    }
}
