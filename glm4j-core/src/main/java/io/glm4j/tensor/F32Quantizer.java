package io.glm4j.tensor;

/** Float32 storage: the values themselves, little-endian. */
final class F32Quantizer implements Quantizer {
    static final F32Quantizer INSTANCE = new F32Quantizer();

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        for (int i = 0; i < count; i++) QuantMath.putInt(dst, dstOffset + 4 * i, Float.floatToRawIntBits(src[srcOffset + i]));
    }
}
