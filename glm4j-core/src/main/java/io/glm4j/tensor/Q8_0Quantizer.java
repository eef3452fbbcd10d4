package io.glm4j.tensor;

/** Q8_0: per block of 32, d = max|x|/127 and q = round(x/d) (halves away from zero). */
final class Q8_0Quantizer implements Quantizer {
    static final Q8_0Quantizer INSTANCE = new Q8_0Quantizer();
    private static final GgmlType TYPE = GgmlType.Q8_0;

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            int in = srcOffset + b * 32, out = dstOffset + b * TYPE.blockBytes;
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(src[in + i]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putF16(dst, out, d);
            for (int i = 0; i < 32; i++) dst[out + 2 + i] = (byte) QuantMath.roundHalfAway(src[in + i] * id);
        }
    }
}
