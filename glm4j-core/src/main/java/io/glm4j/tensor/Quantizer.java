package io.glm4j.tensor;

/**
 * Encodes float32 values into one storage type, choosing every scale and quant the way
 * llama.cpp's reference quantizers ({@code quantize_row_*_ref}, used by {@code llama-quantize}
 * without an importance matrix) do, so that the bytes are the same as llama.cpp would write.
 */
public interface Quantizer {

    /** Encodes {@code count} values (a whole number of blocks) from {@code src[srcOffset...]} into {@code dst[dstOffset...]}. */
    void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset);

    /** The quantizer for a storage type, or a {@link io.glm4j.Glm4jException} if glm4j cannot write it. */
    static Quantizer of(GgmlType type) {
        return Quantizers.of(type);
    }
}
