package io.glm4j.tensor;

/**
 * Q4_K as llama.cpp's {@code quantize_row_q4_K_ref} chooses it. Per sub-block of 32, a weighted
 * least-squares search (weights |x| + rms of the sub-block) over 21 candidate scales picks a scale
 * and a non-negative min such that x ≈ scale·q − min with q in 0..15. The eight scales and mins are
 * then stored as 6-bit multiples of the super-block's fp16 {@code d} and {@code dmin}, and the quants
 * are recomputed against those rounded values.
 */
final class Q4KQuantizer implements Quantizer {
    static final Q4KQuantizer INSTANCE = new Q4KQuantizer();
    private static final GgmlType TYPE = GgmlType.Q4_K;
    private static final int DMIN = 2, SCALES = 4, QS = 16;
    private static final int NMAX = 15, STEPS = 20;
    private static final float RMIN = -1.0f, RDELTA = 0.1f;

    @Override
    public void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset) {
        byte[] q = new byte[256], scratch = new byte[32];
        float[] weights = new float[32], scales = new float[8], mins = new float[8];
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            int in = srcOffset + b * 256, out = dstOffset + b * TYPE.blockBytes;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                int x = in + 32 * j;
                float sumX2 = 0;
                for (int i = 0; i < 32; i++) sumX2 += src[x + i] * src[x + i];
                float rms = (float) Math.sqrt(sumX2 / 32);
                for (int i = 0; i < 32; i++) weights[i] = rms + Math.abs(src[x + i]);
                scales[j] = fitScaleAndMin(src, x, weights, q, 32 * j, scratch, mins, j);
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
            float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
            int[] ls = new int[8], lm = new int[8];
            for (int j = 0; j < 8; j++) {
                ls[j] = Math.min(63, QuantMath.nearestInt(invScale * scales[j]) & 0xFF);
                lm[j] = Math.min(63, QuantMath.nearestInt(invMin * mins[j]) & 0xFF);
            }
            packScales(ls, lm, dst, out + SCALES);
            QuantMath.putF16(dst, out, maxScale / 63.0f);
            QuantMath.putF16(dst, out + DMIN, maxMin / 63.0f);
            float d = QuantMath.toF16AndBack(maxScale / 63.0f);
            float dmin = QuantMath.toF16AndBack(maxMin / 63.0f);
            for (int j = 0; j < 8; j++) {
                float sd = d * ls[j];
                if (sd == 0) continue; // keeps the quants of the search, as llama.cpp does
                float sm = dmin * lm[j];
                for (int i = 0; i < 32; i++) {
                    int l = QuantMath.nearestInt((src[in + 32 * j + i] + sm) / sd);
                    q[32 * j + i] = (byte) Math.clamp(l, 0, NMAX);
                }
            }
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 32; i++) dst[out + QS + 32 * c + i] = (byte) (q[64 * c + i] | q[64 * c + 32 + i] << 4);
            }
        }
    }

    /** The 12-byte layout {@link KQuantScales#unpack} reads. */
    private static void packScales(int[] ls, int[] lm, byte[] dst, int at) {
        for (int j = 0; j < 4; j++) {
            dst[at + j] = (byte) (ls[j] | (ls[j + 4] >> 4) << 6);
            dst[at + j + 4] = (byte) (lm[j] | (lm[j + 4] >> 4) << 6);
            dst[at + j + 8] = (byte) ((ls[j + 4] & 0xF) | (lm[j + 4] & 0xF) << 4);
        }
    }

    /**
     * llama.cpp's {@code make_qkx2_quants} for 32 values: fits x ≈ scale·q + min (min ≤ 0) with
     * q in 0..15, trying iscale = (nmax + rmin + rdelta·k)/(max − min) for k = 0..20 and keeping the
     * least weighted squared error. Writes the quants to {@code q[qAt...]}, −min to {@code mins[j]},
     * and returns the scale. Float operations follow the C order so results agree bit for bit.
     */
    private static float fitScaleAndMin(float[] x, int at, float[] w, byte[] q, int qAt, byte[] trial, float[] mins, int j) {
        int n = 32;
        float min = x[at], max = x[at];
        float sumW = w[0], sumX = sumW * x[at];
        for (int i = 1; i < n; i++) {
            if (x[at + i] < min) min = x[at + i];
            if (x[at + i] > max) max = x[at + i];
            sumW += w[i];
            sumX += w[i] * x[at + i];
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) q[qAt + i] = 0;
            mins[j] = -min;
            return 0.0f;
        }
        float iscale = NMAX / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = Math.clamp(QuantMath.nearestInt(iscale * (x[at + i] - min)), 0, NMAX);
            q[qAt + i] = (byte) l;
            float diff = scale * l + min - x[at + i];
            bestError += w[i] * (diff * diff);
        }
        for (int step = 0; step <= STEPS; step++) {
            iscale = (RMIN + RDELTA * step + NMAX) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.clamp(QuantMath.nearestInt(iscale * (x[at + i] - min)), 0, NMAX);
                trial[i] = (byte) l;
                sumL += w[i] * l;
                sumL2 += w[i] * l * l;
                sumXL += w[i] * l * x[at + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * trial[i] + thisMin - x[at + i];
                    error += w[i] * (diff * diff);
                }
                if (error < bestError) {
                    System.arraycopy(trial, 0, q, qAt, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[j] = -min;
        return scale;
    }
}
