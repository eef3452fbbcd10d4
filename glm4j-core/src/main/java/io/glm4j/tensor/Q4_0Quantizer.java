package io.glm4j.tensor;

/**
 * Q4_0: per block of 32, the value of largest magnitude maps to −8, so d = max/−8, and
 * q = min(15, trunc(x/d + 8.5)); value i goes to the low nibble of byte i, value i+16 to its high nibble.
 */
final class Q4_0Quantizer implements Quantizer {
    static final Q4_0Quantizer INSTANCE = new Q4_0Quantizer();
    private static final GgmlType TYPE = GgmlType.Q4_0;

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            int in = srcOffset + b * 32, out = dstOffset + b * TYPE.blockBytes;
            float d = signedMax(src, in, 32) / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putF16(dst, out, d);
            for (int i = 0; i < 16; i++) {
                int lo = Math.min(15, (int) (src[in + i] * id + 8.5f));
                int hi = Math.min(15, (int) (src[in + 16 + i] * id + 8.5f));
                dst[out + 2 + i] = (byte) (lo | hi << 4);
            }
        }
    }

    /** The value of largest magnitude, keeping its sign (the first one on ties), as Q4_0 and Q5_0 scale by it. */
    static float signedMax(float[] x, int from, int n) {
        float amax = 0, max = 0;
        for (int i = from; i < from + n; i++) {
            if (amax < Math.abs(x[i])) {
                amax = Math.abs(x[i]);
                max = x[i];
            }
        }
        return max;
    }
}
