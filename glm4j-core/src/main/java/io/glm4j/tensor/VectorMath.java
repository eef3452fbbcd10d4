package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Small element-wise float32 operations on rows of activations. */
public final class VectorMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    private VectorMath() {}

    /** {@code out = w ⊙ x / sqrt(mean(x²) + eps)} for one row of {@code n} values. */
    public static void rmsNorm(float[] x, int xOff, float[] w, float eps, float[] out, int outOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) x[xOff + i] * x[xOff + i];
        float scale = (float) (1.0 / Math.sqrt(sum / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * scale * w[i];
    }

    /** {@code rmsNorm} applied to each of {@code rows} rows. */
    public static float[] rmsNormRows(float[] x, int rows, float[] w, float eps) {
        return rmsNormRows(x, rows, w, eps, new float[rows * w.length]);
    }

    /** {@code rmsNorm} applied to each of {@code rows} rows, into {@code out}, which is returned. */
    public static float[] rmsNormRows(float[] x, int rows, float[] w, float eps, float[] out) {
        int n = w.length;
        for (int r = 0; r < rows; r++) rmsNorm(x, r * n, w, eps, out, r * n, n);
        return out;
    }

    /** {@code x[i] += y[i]} for every element. */
    public static void addInPlace(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    /** Adds {@code bias} to each row of {@code x}. */
    public static void addBias(float[] x, int rows, float[] bias) {
        int n = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) x[r * n + i] += bias[i];
        }
    }

    /**
     * {@code Σ exp((x[i] − shift)·scale)} for {@code i < n} (−∞ values add nothing): a softmax's
     * denominator over a whole vocabulary. Each term as {@link #exp} gives it (within 2 ulp),
     * {@value #SUM_CHUNK} values at a time through a buffer of this thread's; a chunk's terms add
     * up in floats, the chunks in a double.
     */
    public static double sumExp(float[] x, int n, float shift, float scale) {
        float[] terms = SUM_TERMS.get();
        double total = 0;
        for (int chunk = 0; chunk < n; chunk += SUM_CHUNK) {
            int count = Math.min(SUM_CHUNK, n - chunk);
            for (int i = 0; i < count; i += F.length()) {
                VectorMask<Float> in = F.indexInRange(i, count);
                FloatVector.fromArray(F, x, chunk + i, in).sub(shift).mul(scale).intoArray(terms, i, in);
            }
            exp(terms, 0, count);
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < count; i += F.length()) acc = acc.add(FloatVector.fromArray(F, terms, i, F.indexInRange(i, count)));
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        return total;
    }

    private static final int SUM_CHUNK = 1024;
    private static final ThreadLocal<float[]> SUM_TERMS = ThreadLocal.withInitial(() -> new float[SUM_CHUNK]);

    /**
     * SwiGLU: {@code gate[i] = silu(gate[i]) · up[i] = gate[i]·up[i] / (1 + e^−gate[i])}; {@code up}
     * is left holding {@code gate[i]·up[i]}.
     */
    public static void siluMultiply(float[] gate, float[] up, int n) {
        // every element, the last ones too, through the same vector code, so a value's result does not
        // depend on where in the array it lies (a token alone or in a batch); Math.exp one by one cost
        // 0.2 ms of a Q4_K_M slice's decode step
        for (int i = 0; i < n; i += F.length()) {
            VectorMask<Float> in = F.indexInRange(i, n);
            FloatVector g = FloatVector.fromArray(F, gate, i, in);
            g.mul(FloatVector.fromArray(F, up, i, in)).intoArray(up, i, in);
            g.neg().intoArray(gate, i, in);
        }
        exp(gate, 0, n);
        for (int i = 0; i < n; i += F.length()) {
            VectorMask<Float> in = F.indexInRange(i, n);
            FloatVector.fromArray(F, up, i, in).div(FloatVector.fromArray(F, gate, i, in).add(1f)).intoArray(gate, i, in);
        }
    }

    private static final float LOG2_E = 1.44269504f, LN2_HIGH = 0.693359375f, LN2_LOW = -2.12194440e-4f;
    private static final float EXP_OVERFLOWS_ABOVE = 88.72283f, EXP_UNDERFLOWS_BELOW = -87.33654f, ROUND = 0x1.8p23f;

    /**
     * {@code x[off+i] = e^x[off+i]} for {@code i < n}, within 2 ulp: x = k·ln 2 + r with |r| ≤ ln 2
     * / 2 (ln 2 in two parts, so r is exact), e^r by Cephes' polynomial, 2^k put in exponent bits;
     * +∞ above the float range, 0 below the normal one. Plain arithmetic only, so the same bits
     * whether C2 compiled it or not (the Vector API's EXP calls a native library once compiled,
     * Math.exp before).
     *
     * <p>Arrays in and out, not a function of vectors: C2 inlines a call by its site's profile, and
     * one it declined (a site that looked cold while the helper was compiled on its own) would box
     * the vectors on every call from then on.
     */
    public static void exp(float[] x, int off, int n) {
        for (int i = 0; i < n; i += F.length()) {
            VectorMask<Float> in = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, x, off + i, in);
            FloatVector clamped = v.max(EXP_UNDERFLOWS_BELOW).min(EXP_OVERFLOWS_ABOVE);
            FloatVector k = clamped.mul(LOG2_E).add(ROUND).sub(ROUND); // rounded to the nearest integer
            FloatVector r = clamped.add(k.mul(-LN2_HIGH)).add(k.mul(-LN2_LOW)); // k·LN2_HIGH is exact
            FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f).fma(r, FloatVector.broadcast(F, 8.3334519073e-3f))
                    .fma(r, FloatVector.broadcast(F, 4.1665795894e-2f)).fma(r, FloatVector.broadcast(F, 1.6666665459e-1f))
                    .fma(r, FloatVector.broadcast(F, 5.0000001201e-1f)).fma(r.mul(r), r).add(1f);
            // 2^k in two factors, as k reaches 128 (e^88.7 is still a float; 2^128 is not)
            IntVector ki = (IntVector) k.convertShape(VectorOperators.F2I, I, 0), half = ki.lanewise(VectorOperators.ASHR, 1);
            FloatVector e = p.mul(half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(F, 0))
                    .mul(ki.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretShape(F, 0));
            e.blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, EXP_OVERFLOWS_ABOVE))
                    .blend(0f, v.compare(VectorOperators.LT, EXP_UNDERFLOWS_BELOW))
                    .intoArray(x, off + i, in);
        }
    }

    public static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }
}
