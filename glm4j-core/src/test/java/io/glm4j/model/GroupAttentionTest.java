package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Grouped attention with the online softmax, against the plain definition in float64
 * (scores, max-shifted exponentials, normalised weighted sum of values) for contexts shorter than a
 * block, exactly one block and several blocks, with widely spread scores so the running maximum
 * moves; several tokens of a prompt attend together, each over its own causal prefix.
 */
class GroupAttentionTest {
    private static final int KV_HEADS = 2, HD = 64, GROUP = 3, KV_HEAD = 1;
    private static final float SCALE = (float) (1 / Math.sqrt(HD));

    @ParameterizedTest
    @ValueSource(ints = {1, 37, GroupAttention.BLOCK, GroupAttention.BLOCK + 1, 3 * GroupAttention.BLOCK + 17})
    void eachTokenMatchesSoftmaxAttentionOverItsPrefix(int context) {
        Prompt prompt = new Prompt(context);
        int tokens = Math.min(GroupAttention.TOKENS, context), from = context - tokens;

        float[] mixed = prompt.attend(from, context);

        for (int t = from; t < context; t++) {
            for (int g = 0; g < GROUP; g++) {
                int at = prompt.at(t, g);
                double[] expected = prompt.reference(at, t + 1);
                for (int d = 0; d < HD; d++) {
                    assertThat(mixed[at + d]).as("token %d of %d, head %d, dim %d", t, context, g, d).isCloseTo((float) expected[d], within(1e-4f));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, GroupAttention.BLOCK + 3})
    void aTokenGetsTheSameResultAloneAsWithOthers(int context) {
        Prompt prompt = new Prompt(context);
        int from = context - GroupAttention.TOKENS;
        float[] together = prompt.attend(from, context);
        for (int t = from; t < context; t++) {
            float[] alone = prompt.attend(t, t + 1);
            int at = prompt.at(t, 0);
            assertThat(Arrays.copyOfRange(alone, at, at + GROUP * HD)).as("token %d", t).isEqualTo(Arrays.copyOfRange(together, at, at + GROUP * HD));
        }
    }

    /** Random keys, values and queries of one layer for a prompt of {@code context} tokens. */
    private static final class Prompt {
        final int context, stride = KV_HEADS * GROUP * HD;
        final float[][] keys, values;
        final float[] q;
        final SequenceKvCache cache;
        final int[] positions;

        Prompt(int context) {
            this.context = context;
            Random random = new Random(context);
            cache = new SequenceKvCache(KvCacheType.F32, 1, KV_HEADS, HD, context, 1);
            keys = new float[context][KV_HEADS * HD];
            values = new float[context][KV_HEADS * HD];
            for (int p = 0; p < context; p++) {
                for (int i = 0; i < KV_HEADS * HD; i++) {
                    keys[p][i] = (float) random.nextGaussian() * (1 + p % 7);
                    values[p][i] = (float) random.nextGaussian();
                }
                cache.write(0, 0, p, keys[p], 0, values[p], 0);
                cache.commit(0, p);
            }
            q = new float[context * stride];
            for (int i = 0; i < q.length; i++) q[i] = (float) random.nextGaussian();
            positions = new int[context];
            for (int p = 0; p < context; p++) positions[p] = p;
        }

        int at(int token, int head) {
            return token * stride + KV_HEAD * GROUP * HD + head * HD;
        }

        float[] attend(int from, int to) {
            float[] mixed = new float[q.length];
            new GroupAttention().attend(cache, 0, 0, KV_HEAD, GROUP, HD, SCALE, q, mixed, stride, KV_HEAD * GROUP * HD, positions, from, to);
            return mixed;
        }

        double[] reference(int at, int limit) {
            double[] s = new double[limit];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int p = 0; p < limit; p++) {
                for (int d = 0; d < HD; d++) s[p] += (double) q[at + d] * keys[p][KV_HEAD * HD + d];
                s[p] *= SCALE;
                max = Math.max(max, s[p]);
            }
            for (int p = 0; p < limit; p++) sum += s[p] = Math.exp(s[p] - max);
            double[] out = new double[HD];
            for (int d = 0; d < HD; d++) {
                for (int p = 0; p < limit; p++) out[d] += s[p] / sum * values[p][KV_HEAD * HD + d];
            }
            return out;
        }
    }
}
