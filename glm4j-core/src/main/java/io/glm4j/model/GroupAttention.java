package io.glm4j.model;

import io.glm4j.tensor.VectorMath;
import java.util.Arrays;

/**
 * The query heads that share one KV head, attending over positions {@code 0..positions-1} of a
 * sequence: each key and value is read from the cache (and converted from its element type) once
 * for the whole group. Positions go in blocks of {@link #BLOCK} through an online softmax — a
 * running maximum and sum per head, the partial output rescaled when the maximum grows — so the
 * buffers stay a few KB whatever the context. One instance per worker thread.
 */
final class GroupAttention {
    static final int BLOCK = 256;

    private float[] row = new float[0], scores = new float[0], out = new float[0], max = new float[0], sum = new float[0];

    /**
     * For g < group: {@code mixed[mixedOff + g·hd ...] = Σ_p softmax_p(scale · q_g·K_p) · V_p}, with
     * q_g at {@code q[qOff + g·hd ...]}.
     */
    void attend(KvCache cache, int layer, int seq, int positions, int kvHead, int group, int hd, float scale,
            float[] q, int qOff, float[] mixed, int mixedOff) {
        fit(group, hd);
        Arrays.fill(max, 0, group, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, group, 0f);
        Arrays.fill(out, 0, group * hd, 0f);
        for (int from = 0; from < positions; from += BLOCK) {
            int count = Math.min(BLOCK, positions - from);
            for (int p = 0; p < count; p++) {
                cache.readKey(layer, seq, from + p, kvHead, row, 0);
                for (int g = 0; g < group; g++) scores[g * BLOCK + p] = VectorMath.dot(q, qOff + g * hd, row, 0, hd) * scale;
            }
            for (int g = 0; g < group; g++) {
                float m = max[g];
                for (int p = 0; p < count; p++) m = Math.max(m, scores[g * BLOCK + p]);
                float rescale = (float) Math.exp(max[g] - m);
                float s = sum[g] * rescale;
                for (int p = 0; p < count; p++) s += scores[g * BLOCK + p] = (float) Math.exp(scores[g * BLOCK + p] - m);
                if (rescale != 1f) {
                    for (int d = 0; d < hd; d++) out[g * hd + d] *= rescale;
                }
                max[g] = m;
                sum[g] = s;
            }
            for (int p = 0; p < count; p++) {
                cache.readValue(layer, seq, from + p, kvHead, row, 0);
                for (int g = 0; g < group; g++) VectorMath.axpy(scores[g * BLOCK + p], row, 0, out, g * hd, hd);
            }
        }
        for (int g = 0; g < group; g++) {
            float inverse = 1f / sum[g];
            for (int d = 0; d < hd; d++) mixed[mixedOff + g * hd + d] = out[g * hd + d] * inverse;
        }
    }

    private void fit(int group, int hd) {
        if (row.length < hd || max.length < group || out.length < group * hd) {
            row = new float[hd];
            scores = new float[group * BLOCK];
            out = new float[group * hd];
            max = new float[group];
            sum = new float[group];
        }
    }
}
