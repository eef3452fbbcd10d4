package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The arithmetic of attention over a block of cached positions for a set of query rows (the query
 * heads that share one KV head, of one token or of several): their scores against the block's
 * keys, one step of each row's online softmax, and the weighted sum of the block's values.
 *
 * <p>Keys come dimension-major ({@code keys[d·block + p]}), so a row's scores for a vector of
 * positions build up lane by lane, with no sum across lanes to fix an order for; values come
 * position-major ({@code values[p·hd + d]}). Rows go four at a time, so each key or value vector
 * loaded feeds four rows; a last chunk of fewer rows repeats its last row, computed and written
 * twice alike. Every vector stays in a local variable: a helper that took or returned one and
 * was not inlined would box it on every call.
 */
public final class AttentionKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The floats a vector holds: {@link #softmaxStep} keeps a row's running sum in this many lanes. */
    public static final int LANES = F.length();
    private static final int ROWS = 4;

    private AttentionKernels() {}

    /** {@code n} rounded up to whole vectors. */
    public static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /**
     * {@code scores[r·stride + p] = scale · Σ_d q[rowAt[r] + d] · keys[d·block + p]} for
     * {@code r < rows} and {@code p < padded(count)}, the dimensions added in order.
     */
    public static void scores(float[] q, int[] rowAt, int rows, int hd, float[] keys, int block, int count, float scale,
            float[] scores, int stride) {
        int width = padded(count);
        for (int r = 0; r < rows; r += ROWS) {
            int r1 = Math.min(r + 1, rows - 1), r2 = Math.min(r + 2, rows - 1), r3 = Math.min(r + 3, rows - 1);
            int q0 = rowAt[r], q1 = rowAt[r1], q2 = rowAt[r2], q3 = rowAt[r3];
            int s0 = r * stride, s1 = r1 * stride, s2 = r2 * stride, s3 = r3 * stride;
            int p = 0;
            for (; p + 2 * LANES <= width; p += 2 * LANES) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int d = 0, k = p; d < hd; d++, k += block) {
                    FloatVector x = FloatVector.fromArray(F, keys, k), y = FloatVector.fromArray(F, keys, k + LANES);
                    FloatVector w = FloatVector.broadcast(F, q[q0 + d]);
                    a0 = x.fma(w, a0);
                    b0 = y.fma(w, b0);
                    w = FloatVector.broadcast(F, q[q1 + d]);
                    a1 = x.fma(w, a1);
                    b1 = y.fma(w, b1);
                    w = FloatVector.broadcast(F, q[q2 + d]);
                    a2 = x.fma(w, a2);
                    b2 = y.fma(w, b2);
                    w = FloatVector.broadcast(F, q[q3 + d]);
                    a3 = x.fma(w, a3);
                    b3 = y.fma(w, b3);
                }
                a0.mul(scale).intoArray(scores, s0 + p);
                a1.mul(scale).intoArray(scores, s1 + p);
                a2.mul(scale).intoArray(scores, s2 + p);
                a3.mul(scale).intoArray(scores, s3 + p);
                b0.mul(scale).intoArray(scores, s0 + p + LANES);
                b1.mul(scale).intoArray(scores, s1 + p + LANES);
                b2.mul(scale).intoArray(scores, s2 + p + LANES);
                b3.mul(scale).intoArray(scores, s3 + p + LANES);
            }
            if (p < width) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int d = 0, k = p; d < hd; d++, k += block) {
                    FloatVector x = FloatVector.fromArray(F, keys, k);
                    a0 = x.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                    a1 = x.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
                    a2 = x.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
                    a3 = x.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
                }
                a0.mul(scale).intoArray(scores, s0 + p);
                a1.mul(scale).intoArray(scores, s1 + p);
                a2.mul(scale).intoArray(scores, s2 + p);
                a3.mul(scale).intoArray(scores, s3 + p);
            }
        }
    }

    /**
     * One block's step of each row's online softmax. Row {@code r}'s scores lie at
     * {@code scores[r·stride ..+width)} ({@code width} a whole number of vectors), the first
     * {@code counted[r]} of them its own; {@code max[r]} is the row's largest score so far (−∞
     * before its first block), {@code sums[r·LANES ..+LANES)} the running sum of its exponentials
     * and {@code out[r·hd ..+hd)} its partial output. Replaces each counted score by
     * {@code e^(score − m)} and the others by 0, with {@code m} the row's new maximum, and rescales
     * the row's sum (lane by lane) and output to {@code m} before adding the block's terms to the sum.
     */
    public static void softmaxStep(float[] scores, int stride, int rows, int width, int[] counted, float[] max, float[] sums, float[] out, int hd) {
        for (int r = 0; r < rows; r++) {
            int off = r * stride;
            for (int i = counted[r]; i < width; i++) scores[off + i] = Float.NEGATIVE_INFINITY;
            FloatVector top = FloatVector.broadcast(F, max[r]);
            for (int i = 0; i < width; i += LANES) top = top.max(FloatVector.fromArray(F, scores, off + i));
            float m = top.reduceLanes(VectorOperators.MAX); // exact in any order
            for (int i = 0; i < width; i += LANES) FloatVector.fromArray(F, scores, off + i).sub(m).intoArray(scores, off + i);
            VectorMath.exp(scores, off, width);
            float rescale = (float) Math.exp(max[r] - m);
            max[r] = m;
            FloatVector sum = FloatVector.fromArray(F, sums, r * LANES).mul(rescale);
            for (int i = 0; i < width; i += LANES) sum = sum.add(FloatVector.fromArray(F, scores, off + i));
            sum.intoArray(sums, r * LANES);
            if (rescale != 1f) {
                for (int d = r * hd; d < (r + 1) * hd; d++) out[d] *= rescale;
            }
        }
    }

    /** The sum of a row's running lanes {@code sums[at ..+LANES)}, added in order. */
    public static float total(float[] sums, int at) {
        float total = 0;
        for (int i = 0; i < LANES; i++) total += sums[at + i];
        return total;
    }

    /**
     * {@code out[r·hd + d] += Σ_p weights[r·stride + p] · values[p·hd + d]} for {@code r < rows}
     * and {@code d < hd}, the positions {@code p < count} added in order.
     */
    public static void accumulateValues(float[] weights, int stride, int rows, float[] values, int count, int hd, float[] out) {
        if (hd % LANES != 0) throw new IllegalArgumentException("head dimension " + hd + " is not a multiple of " + LANES);
        for (int r = 0; r < rows; r += ROWS) {
            int r1 = Math.min(r + 1, rows - 1), r2 = Math.min(r + 2, rows - 1), r3 = Math.min(r + 3, rows - 1);
            int w0 = r * stride, w1 = r1 * stride, w2 = r2 * stride, w3 = r3 * stride;
            int o0 = r * hd, o1 = r1 * hd, o2 = r2 * hd, o3 = r3 * hd;
            int d = 0;
            for (; d + 2 * LANES <= hd; d += 2 * LANES) {
                int e = d + LANES;
                FloatVector a0 = FloatVector.fromArray(F, out, o0 + d), a1 = FloatVector.fromArray(F, out, o1 + d);
                FloatVector a2 = FloatVector.fromArray(F, out, o2 + d), a3 = FloatVector.fromArray(F, out, o3 + d);
                FloatVector b0 = FloatVector.fromArray(F, out, o0 + e), b1 = FloatVector.fromArray(F, out, o1 + e);
                FloatVector b2 = FloatVector.fromArray(F, out, o2 + e), b3 = FloatVector.fromArray(F, out, o3 + e);
                for (int p = 0, v = 0; p < count; p++, v += hd) {
                    FloatVector x = FloatVector.fromArray(F, values, v + d), y = FloatVector.fromArray(F, values, v + e);
                    FloatVector w = FloatVector.broadcast(F, weights[w0 + p]);
                    a0 = x.fma(w, a0);
                    b0 = y.fma(w, b0);
                    w = FloatVector.broadcast(F, weights[w1 + p]);
                    a1 = x.fma(w, a1);
                    b1 = y.fma(w, b1);
                    w = FloatVector.broadcast(F, weights[w2 + p]);
                    a2 = x.fma(w, a2);
                    b2 = y.fma(w, b2);
                    w = FloatVector.broadcast(F, weights[w3 + p]);
                    a3 = x.fma(w, a3);
                    b3 = y.fma(w, b3);
                }
                a0.intoArray(out, o0 + d);
                a1.intoArray(out, o1 + d);
                a2.intoArray(out, o2 + d);
                a3.intoArray(out, o3 + d);
                b0.intoArray(out, o0 + e);
                b1.intoArray(out, o1 + e);
                b2.intoArray(out, o2 + e);
                b3.intoArray(out, o3 + e);
            }
            if (d < hd) {
                FloatVector a0 = FloatVector.fromArray(F, out, o0 + d), a1 = FloatVector.fromArray(F, out, o1 + d);
                FloatVector a2 = FloatVector.fromArray(F, out, o2 + d), a3 = FloatVector.fromArray(F, out, o3 + d);
                for (int p = 0, v = 0; p < count; p++, v += hd) {
                    FloatVector x = FloatVector.fromArray(F, values, v + d);
                    a0 = x.fma(FloatVector.broadcast(F, weights[w0 + p]), a0);
                    a1 = x.fma(FloatVector.broadcast(F, weights[w1 + p]), a1);
                    a2 = x.fma(FloatVector.broadcast(F, weights[w2 + p]), a2);
                    a3 = x.fma(FloatVector.broadcast(F, weights[w3 + p]), a3);
                }
                a0.intoArray(out, o0 + d);
                a1.intoArray(out, o1 + d);
                a2.intoArray(out, o2 + d);
                a3.intoArray(out, o3 + d);
            }
        }
    }
}
