package io.glm4j.model;

import io.glm4j.tensor.AttentionKernels;
import java.util.Arrays;

/**
 * The query heads that share one KV head, for one or more tokens of a sequence, attending causally
 * over the sequence's cached positions: each key and value is read from the cache (and converted
 * from its element type) once for all of these query rows, a prompt's tokens sharing it as much
 * as a token's heads. Positions go in blocks of {@link #BLOCK} through an online softmax — a
 * running maximum and sum per row, the partial output rescaled when the maximum grows — so the
 * buffers stay a few tens of KB whatever the context. One instance per worker thread.
 */
final class GroupAttention {
    /** Positions a block: its keys and values (128 floats each for GLM) stay in the level-2 cache. */
    static final int BLOCK = 64;
    /** The most tokens attended together: 48 query rows for GLM's 12 heads per KV head. */
    static final int TOKENS = 4;

    private float[] keys = new float[0], values = new float[0], scores = new float[0], out = new float[0], sums = new float[0], max = new float[0];
    private int[] rowAt = new int[0], counted = new int[0];

    /**
     * For the tokens {@code t} in {@code [from, to)} (at most {@link #TOKENS}, of sequence
     * {@code seq}, whose keys and values are cached) and each head {@code g < group}, with
     * {@code at = t·stride + offset + g·hd}: {@code mixed[at ..+hd) = Σ_p softmax_p(scale · q_tg·K_p) · V_p}
     * over the positions {@code p ≤ positions[t]}, {@code q_tg = q[at ..+hd)}.
     */
    void attend(KvCache cache, int layer, int seq, int kvHead, int group, int hd, float scale,
            float[] q, float[] mixed, int stride, int offset, int[] positions, int from, int to) {
        int rows = (to - from) * group;
        fit(rows, hd);
        int end = 0;
        for (int t = from, r = 0; t < to; t++) {
            end = Math.max(end, positions[t] + 1);
            for (int g = 0; g < group; g++, r++) rowAt[r] = t * stride + offset + g * hd;
        }
        Arrays.fill(max, 0, rows, Float.NEGATIVE_INFINITY);
        Arrays.fill(sums, 0, rows * AttentionKernels.LANES, 0f);
        Arrays.fill(out, 0, rows * hd, 0f);
        for (int block = 0; block < end; block += BLOCK) {
            int count = Math.min(BLOCK, end - block);
            for (int p = 0; p < count; p++) {
                cache.readKey(layer, seq, block + p, kvHead, keys, p, BLOCK);
                cache.readValue(layer, seq, block + p, kvHead, values, p * hd);
            }
            AttentionKernels.scores(q, rowAt, rows, hd, keys, BLOCK, count, scale, scores, BLOCK);
            for (int r = 0; r < rows; r++) counted[r] = Math.clamp(positions[from + r / group] + 1 - block, 0, count);
            AttentionKernels.softmaxStep(scores, BLOCK, rows, AttentionKernels.padded(count), counted, max, sums, out, hd);
            AttentionKernels.accumulateValues(scores, BLOCK, rows, values, count, hd, out);
        }
        for (int r = 0; r < rows; r++) {
            float inverse = 1f / AttentionKernels.total(sums, r * AttentionKernels.LANES);
            for (int d = 0; d < hd; d++) mixed[rowAt[r] + d] = out[r * hd + d] * inverse;
        }
    }

    private void fit(int rows, int hd) {
        if (keys.length < BLOCK * hd || max.length < rows || out.length < rows * hd) {
            keys = new float[BLOCK * hd];
            values = new float[BLOCK * hd];
            scores = new float[rows * BLOCK];
            out = new float[rows * hd];
            sums = new float[rows * AttentionKernels.LANES];
            max = new float[rows];
            rowAt = new int[rows];
            counted = new int[rows];
        }
    }
}
