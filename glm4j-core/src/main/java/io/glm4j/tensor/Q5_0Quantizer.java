package io.glm4j.tensor;

/**
 * Q5_0: like Q4_0 with d = max/−16 and q = min(31, trunc(x/d + 16.5)); the low 4 bits are packed
 * as in Q4_0 and the fifth bit of value i goes to bit i of the 32-bit {@code qh}.
 */
final class Q5_0Quantizer implements Quantizer {
    static final Q5_0Quantizer INSTANCE = new Q5_0Quantizer();
    private static final GgmlType TYPE = GgmlType.Q5_0;
    private static final int QH = 2, QS = 6;

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            int in = srcOffset + b * 32, out = dstOffset + b * TYPE.blockBytes;
            float d = Q4_0Quantizer.signedMax(src, in, 32) / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putF16(dst, out, d);
            int qh = 0;
            for (int i = 0; i < 16; i++) {
                int lo = Math.min(31, (int) (src[in + i] * id + 16.5f));
                int hi = Math.min(31, (int) (src[in + 16 + i] * id + 16.5f));
                dst[out + QS + i] = (byte) ((lo & 0xF) | (hi & 0xF) << 4);
                qh |= (lo >> 4) << i | (hi >> 4) << (i + 16);
            }
            QuantMath.putInt(dst, out + QH, qh);
        }
    }
}
