package io.glm4j.tensor;

/** float32 → bfloat16 as ggml's {@code ggml_compute_fp32_to_bf16}: round to nearest even, NaN kept and made quiet. */
final class BF16Quantizer implements Quantizer {
    static final BF16Quantizer INSTANCE = new BF16Quantizer();

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) {
            int bits = Float.floatToRawIntBits(src[srcOffset + i]);
            int half = (bits & 0x7FFFFFFF) > 0x7F800000 ? (bits >>> 16) | 64 : (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
            dst[dstOffset + 2 * i] = (byte) half;
            dst[dstOffset + 2 * i + 1] = (byte) (half >>> 8);
        }
    }
}
