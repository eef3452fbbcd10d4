package io.glm4j.tensor;

/**
 * How activations are rounded before they meet a weight type, as llama.cpp's CPU backend does
 * (its {@code vec_dot_type}): float32 against F32 weights, float16 / bfloat16 against F16 / BF16,
 * int8 blocks of 32 with a float16 scale (Q8_0, whose values Q8_1 shares) against the 32-value
 * block types, and int8 blocks of 256 with a float32 scale (Q8_K) against the K-quants.
 * Keeping this rounding is what lets glm4j's quantized logits be compared with llama.cpp's.
 */
enum ActivationFormat {
    F32(1),
    F16(1),
    BF16(1),
    Q8_0(32),
    Q8_K(256);

    /** Values that share one scale. */
    final int blockSize;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    static ActivationFormat of(GgmlType weights) {
        return switch (weights) {
            case F16 -> F16;
            case BF16 -> BF16;
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> Q8_0;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> Q8_K;
            default -> F32;
        };
    }

    /** Whether values are stored as int8 quants with a scale per block. */
    boolean isInt8() {
        return blockSize > 1;
    }

    /** The bfloat16 nearest to {@code v} (ties to even), back as a float; NaNs stay NaN. */
    static float roundToBf16(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7fffffff) > 0x7f800000) return v;
        return Float.intBitsToFloat((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000);
    }
}
