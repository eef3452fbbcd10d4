package io.glm4j.tensor;

import io.glm4j.Glm4jException;

/**
 * Weight × activations for a batch of rows: {@code out[t][o] = Σ_i W[o][i] · x[t][i]}, with
 * {@code W} stored in any supported type and {@code x} float32, rows packed back to back.
 *
 * <p>The activations are first rounded as llama.cpp rounds them for that weight type
 * ({@link ActivationFormat}), once per call, into buffers the calling thread keeps. Output rows
 * are then split over the worker pool; each weight row is read from memory once for the whole
 * batch: for a few tokens by one int8 (or float) dot product per token and row, for more by
 * {@link TiledMatMul}.
 */
public final class MatMul {
    private static final ThreadLocal<QuantizedActivations> ACTIVATIONS = ThreadLocal.withInitial(QuantizedActivations::new);
    /**
     * From this many tokens on, weights are decoded once into float tiles ({@link TiledMatMul}),
     * which beats one int8 dot per token and row from about 3 tokens. Smaller batches — speculative
     * verification of a few drafts, a few sequences decoding together — keep the per-token dot, so
     * each token's result is bit for bit what a single-token step gives (greedy speculative
     * decoding then reproduces plain decoding exactly).
     */
    static final int TILED_FROM_TOKENS = 8;

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
        ActivationFormat format = ActivationFormat.of(w.type());
        QuantizedDot quantized = format.isInt8() && kernel instanceof QuantizedDot q && (Int8Lanes.AVAILABLE || !q.needsWideVectors()) ? q : null;
        QuantizedActivations a = ACTIVATIONS.get();
        a.quantize(format, x, tokens, in, quantized != null ? quantized.laneOrder() : null);
        float[] values = a.values();
        if (tokens >= TILED_FROM_TOKENS && Int8Lanes.AVAILABLE && in % TiledMatMul.VECTOR_FLOATS == 0 && (quantized == null || !quantized.usesOffsetSums())) {
            TiledMatMul.multiply(pool, w, kernel, values, tokens, out);
            return;
        }
        long rowBytes = w.rowBytes();
        pool.forRange(outDim, 16, (start, end) -> {
            float[] lanes = new float[FloatSums.LANES];
            for (int o = start; o < end; o++) {
                long offset = o * rowBytes;
                for (int t = 0; t < tokens; t++) {
                    out[t * outDim + o] = quantized != null
                            ? quantized.dot(w.data(), offset, a, t * in, in, lanes)
                            : kernel.dot(w.data(), offset, values, t * in, in);
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
