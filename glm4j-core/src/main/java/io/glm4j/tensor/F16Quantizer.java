package io.glm4j.tensor;

/** IEEE half precision, rounded to nearest even as ggml's {@code fp32_to_fp16} does. */
final class F16Quantizer implements Quantizer {
    static final F16Quantizer INSTANCE = new F16Quantizer();

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) QuantMath.putF16(dst, dstOffset + 2 * i, src[srcOffset + i]);
    }
}
