package io.glm4j.tensor;

import java.util.Arrays;

/**
 * Q6_K as llama.cpp's {@code quantize_row_q6_K_ref} chooses it. Each sub-block of 16 gets a
 * symmetric scale from a search over 19 candidates (error weighted by x²); the sixteen scales are
 * stored as int8 multiples of the super-block's fp16 {@code d}, with the largest one at −128, and
 * the 6-bit quants are recomputed against the stored scales.
 */
final class Q6KQuantizer implements Quantizer {
    static final Q6KQuantizer INSTANCE = new Q6KQuantizer();
    private static final GgmlType TYPE = GgmlType.Q6_K;
    private static final int QH = 128, SCALES = 192, D = 208;
    private static final int NMAX = 32;
    private static final float GROUP_MAX_EPS = 1e-15f;

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        byte[] q = new byte[256];
        float[] scales = new float[16];
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            int in = srcOffset + b * 256, out = dstOffset + b * TYPE.blockBytes;
            float maxScale = 0, maxAbsScale = 0;
            for (int j = 0; j < 16; j++) {
                scales[j] = fitScale(src, in + 16 * j, q, 16 * j);
                if (Math.abs(scales[j]) > maxAbsScale) {
                    maxAbsScale = Math.abs(scales[j]);
                    maxScale = scales[j];
                }
            }
            if (maxAbsScale < GROUP_MAX_EPS) {
                Arrays.fill(dst, out, out + TYPE.blockBytes, (byte) 0);
                continue;
            }
            float iscale = -128.0f / maxScale;
            QuantMath.putF16(dst, out + D, 1 / iscale);
            float d = QuantMath.toF16AndBack(1 / iscale);
            for (int j = 0; j < 16; j++) {
                byte scale = (byte) Math.min(127, QuantMath.nearestInt(iscale * scales[j]));
                dst[out + SCALES + j] = scale;
                float sd = d * scale;
                if (sd == 0) continue; // keeps the quants of the search, as llama.cpp does
                for (int i = 0; i < 16; i++) {
                    int l = QuantMath.nearestInt(src[in + 16 * j + i] / sd);
                    q[16 * j + i] = (byte) (Math.clamp(l, -32, 31) + 32);
                }
            }
            pack(q, dst, out);
        }
    }

    /** Low 4 bits of values c·32+i (c = 0..3) to the nibbles of ql, high 2 bits to qh, per half of 128 values. */
    private static void pack(byte[] q, byte[] dst, int out) {
        for (int half = 0; half < 2; half++) {
            int v = 128 * half, ql = out + 64 * half, qh = out + QH + 32 * half;
            for (int i = 0; i < 32; i++) {
                int q1 = q[v + i], q2 = q[v + 32 + i], q3 = q[v + 64 + i], q4 = q[v + 96 + i];
                dst[ql + i] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                dst[ql + 32 + i] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                dst[qh + i] = (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }

    /**
     * llama.cpp's {@code make_qx_quants} with weights x² for 16 values: q = round(iscale·x) in
     * −32..31 for iscale = −(32 + 0.1k)/max, k = −9..9, keeping the best weighted least-squares
     * scale. Writes q + 32 to {@code q[qAt...]} and returns the scale.
     */
    private static float fitScale(float[] x, int at, byte[] q, int qAt) {
        int n = 16;
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[at + i]);
            if (ax > amax) {
                amax = ax;
                max = x[at + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            Arrays.fill(q, qAt, qAt + n, (byte) 0);
            return 0.0f;
        }
        float iscale = -NMAX / max;
        float sumLX = 0, sumL2 = 0;
        for (int i = 0; i < n; i++) {
            int l = Math.clamp(QuantMath.nearestInt(iscale * x[at + i]), -NMAX, NMAX - 1);
            q[qAt + i] = (byte) (l + NMAX);
            float w = x[at + i] * x[at + i];
            sumLX += w * x[at + i] * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        float best = scale * sumLX;
        for (int k = -9; k <= 9; k++) {
            if (k == 0) continue;
            iscale = -(NMAX + 0.1f * k) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.clamp(QuantMath.nearestInt(iscale * x[at + i]), -NMAX, NMAX - 1);
                float w = x[at + i] * x[at + i];
                sumLX += w * x[at + i] * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    q[qAt + i] = (byte) (Math.clamp(QuantMath.nearestInt(iscale * x[at + i]), -NMAX, NMAX - 1) + NMAX);
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }
}
