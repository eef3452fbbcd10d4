package io.glm4j.tensor;

import io.glm4j.Glm4jException;

/**
 * Weight × activations for a batch of rows: {@code out[t][o] = Σ_i W[o][i] · x[t][i]}, with
 * {@code W} stored in any supported type and {@code x} float32, rows packed back to back.
 * Output rows are split over the worker pool; each weight row is read once for the whole batch.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * @param w     weight of {@code ne = [in, out]}
     * @param x     {@code tokens} rows of {@code in} values
     * @param out   {@code tokens} rows of {@code out} values (overwritten)
     */
    public static void multiply(WorkerPool pool, Tensor w, float[] x, int tokens, float[] out) {
        int in = w.cols();
        int outDim = w.rows();
        if (x.length < (long) tokens * in || out.length < (long) tokens * outDim) {
            throw new IllegalArgumentException(w.name() + ": activation shape does not fit " + tokens + " rows of " + in + " → " + outDim);
        }
        RowKernel kernel = w.kernel();
        long rowBytes = w.rowBytes();
        pool.forRange(outDim, 16, (start, end) -> {
            for (int o = start; o < end; o++) {
                long offset = o * rowBytes;
                for (int t = 0; t < tokens; t++) {
                    out[t * outDim + o] = kernel.dot(w.data(), offset, x, t * in, in);
                }
            }
        });
    }

    /** Checks once, at load time, that a weight can be multiplied (its type has a kernel). */
    public static void requireSupported(Tensor w) {
        try {
            RowKernel.of(w.type());
        } catch (Glm4jException e) {
            throw new Glm4jException("tensor '" + w.name() + "' has type " + w.type() + ", which glm4j cannot compute with");
        }
    }
}
