package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The dot product of a stored row with activations quantized to int8 blocks
 * ({@link ActivationFormat#Q8_0} or {@link ActivationFormat#Q8_K}), computed as llama.cpp's
 * {@code vec_dot} does: integer sums per block, scaled by the weight's and the activation's scales.
 */
interface QuantizedDot {

    /** Σ w[i]·x[xOffset+i] over {@code count} values of the row at {@code offset}; {@code xOffset} is block-aligned. */
    float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count);

    /**
     * Where value i of an activation block is placed in {@link QuantizedActivations#quants()}, so the
     * kernel's vector lanes line up with its unpacked weights; null keeps the natural order.
     */
    default int[] laneOrder() {
        return null;
    }

    /**
     * Whether the result uses Q8_1's rounded offset sums ({@link QuantizedActivations#offsetSums()}),
     * so that it differs from the float dot of the rounded values by more than float rounding and
     * cannot be replaced by it.
     */
    default boolean usesOffsetSums() {
        return false;
    }

    /**
     * From how many tokens dequantizing a tile of rows once ({@link TiledMatMul}) beats this
     * kernel's dot per token and row, measured with {@code MatMulBenchmark} on an expert-sized
     * matrix; used for the few tokens each expert gets out of a large batch.
     */
    default int tiledFromTokens() {
        return MatMul.TILED_FROM_TOKENS;
    }

    /** Whether this kernel needs 512-bit vectors to be fast ({@link Int8Lanes#AVAILABLE}); the scalar ones do not. */
    default boolean needsWideVectors() {
        return true;
    }
}
