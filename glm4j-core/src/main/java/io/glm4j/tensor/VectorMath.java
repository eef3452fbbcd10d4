package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Small element-wise float32 operations on rows of activations. */
public final class VectorMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {}

    /** {@code Σ a[aOff+i]·b[bOff+i]} for {@code i < n}, lanes summed in a fixed order. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += F.length()) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float sum = FloatSums.sum(acc);
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /** {@code y[yOff+i] += w·x[xOff+i]} for {@code i < n}. */
    public static void axpy(float w, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, w), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(w, x[xOff + i], y[yOff + i]);
    }

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

    /** SwiGLU: {@code gate[i] = silu(gate[i]) · up[i]}. */
    public static void siluMultiply(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    public static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    /** In-place softmax over {@code x[off .. off+n)}. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        for (int i = 0; i < n; i++) x[off + i] /= sum;
    }
}
