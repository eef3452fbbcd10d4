package io.glm4j.tensor;

/**
 * How activations are rounded before they meet a weight type. Against the quantized block types
 * glm4j does what llama.cpp's CPU backend does (its {@code vec_dot_type}) — int8 blocks of 32 with
 * a float16 scale (Q8_0, whose values Q8_1 shares) for the 32-value block types, int8 blocks of
 * 256 with a float32 scale (Q8_K) for the K-quants — which is what makes integer dot products
 * possible and lets quantized logits be compared with llama.cpp's. Float weights (F32, F16, BF16,
 * scaled FP8) meet float32 activations, as in the Hugging Face reference; llama.cpp's float16 /
 * bfloat16 rounding there would only lose precision.
 */
enum ActivationFormat {
    F32(1),
    Q8_0(32),
    Q8_K(256);

    /** Values that share one scale. */
    final int blockSize;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    static ActivationFormat of(GgmlType weights) {
        return switch (weights) {
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> Q8_0;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> Q8_K;
            default -> F32;
        };
    }

    /** Whether values are stored as int8 quants with a scale per block. */
    boolean isInt8() {
        return blockSize > 1;
    }
}
