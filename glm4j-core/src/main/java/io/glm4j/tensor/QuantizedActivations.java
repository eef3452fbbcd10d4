package io.glm4j.tensor;

/**
 * Rows of activations rounded to one {@link ActivationFormat}, in buffers that grow to the largest
 * batch seen and are then reused, so quantizing a matrix's input allocates nothing in steady state.
 *
 * <p>For the int8 formats each row is kept three ways: the rounded values as floats
 * ({@link #values}, what a float kernel multiplies with), the int8 quants widened to shorts in the
 * lane order an int8 kernel reads ({@link #quants}, the order an int8 kernel asks for), one scale per
 * block ({@link #scales}) and the sum of the quants of every 16 values ({@link #sums16}), which the
 * kernels use for the weights' offsets and minima. The row-group kernels ({@link RowGroupKernel})
 * read the quants as {@link #pairs}: two neighbours in natural order packed into one int, which
 * one instruction broadcasts to every lane pair of a vector.
 */
final class QuantizedActivations {
    private float[] values = new float[0];
    private short[] quants = new short[0];
    private float[] scales = new float[0];
    private int[] sums16 = new int[0];
    private int[] pairs = new int[0];
    private float[] offsetSums = new float[0];
    private final short[] blockQuants = new short[256];
    private float[] source;
    private ActivationFormat format;
    private int cols;

    /** Rounds {@code rows} rows of {@code cols} values of {@code x}; {@code laneOrder} may be null (no int8 kernel). */
    void quantize(ActivationFormat format, float[] x, int rows, int cols, int[] laneOrder) {
        this.format = format;
        this.cols = cols;
        int n = rows * cols;
        if (format == ActivationFormat.F32) {
            source = x;
            return;
        }
        source = null;
        if (values.length < n) values = new float[n];
        quantizeBlocks(x, n, laneOrder);
    }

    private void quantizeBlocks(float[] x, int n, int[] laneOrder) {
        int block = format.blockSize;
        if (cols % block != 0) throw new IllegalArgumentException(cols + " values is not a whole number of " + format + " blocks");
        if (quants.length < n) {
            quants = new short[n];
            sums16 = new int[n / 16];
            pairs = new int[n / 2];
        }
        if (scales.length < n / block) {
            scales = new float[n / block];
            offsetSums = new float[n / block];
        }
        for (int b = 0; b < n / block; b++) {
            int base = b * block;
            float d = format == ActivationFormat.Q8_0 ? quantizeQ8_0(x, base, b) : quantizeQ8_K(x, base);
            scales[b] = d;
            for (int g = 0; g < block / 16; g++) {
                int sum = 0;
                for (int i = 16 * g; i < 16 * g + 16; i++) {
                    values[base + i] = d * blockQuants[i];
                    sum += blockQuants[i];
                }
                sums16[base / 16 + g] = sum;
            }
            for (int i = 0; i < block; i++) quants[base + (laneOrder != null ? laneOrder[i] : i)] = blockQuants[i];
            for (int i = 0; i < block; i += 2) pairs[(base + i) >> 1] = blockQuants[i] & 0xFFFF | blockQuants[i + 1] << 16;
        }
    }

    /**
     * llama.cpp's quantize_row_q8_0: d = amax/127 stored as float16, q = round-half-even(x · 127/amax).
     * Also Q8_1's {@code s = d·Σq} in float16 (d before rounding), which the Q4_1 and Q5_1 dots use
     * for their offsets.
     */
    private float quantizeQ8_0(float[] x, int base, int block) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[base + i]));
        float id = amax != 0 ? 127f / amax : 0f;
        int sum = 0;
        for (int i = 0; i < 32; i++) sum += blockQuants[i] = (short) Math.rint(x[base + i] * id);
        float d = amax / 127f;
        offsetSums[block] = Float.float16ToFloat(Float.floatToFloat16(d * sum));
        return Float.float16ToFloat(Float.floatToFloat16(d));
    }

    /**
     * llama.cpp's quantize_row_q8_K: the value of largest magnitude (the first, on ties) maps to
     * −127, q = min(127, round-half-even(x · −127/max)), d = 1/iscale in float32.
     */
    private float quantizeQ8_K(float[] x, int base) {
        float amax = 0, max = 0;
        for (int i = 0; i < 256; i++) {
            float ax = Math.abs(x[base + i]);
            if (ax > amax) {
                amax = ax;
                max = x[base + i];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(blockQuants, (short) 0);
            return 0;
        }
        float iscale = -127f / max;
        for (int i = 0; i < 256; i++) blockQuants[i] = (short) Math.min(127, (int) Math.rint(iscale * x[base + i]));
        return 1 / iscale;
    }

    ActivationFormat format() {
        return format;
    }

    /** The rounded values (for F32, the input itself). Row r starts at {@code r · cols}. */
    float[] values() {
        return source != null ? source : values;
    }

    short[] quants() {
        return quants;
    }

    float[] scales() {
        return scales;
    }

    int[] sums16() {
        return sums16;
    }

    /** Int k holds quants 2k (low half) and 2k+1 (high half), in natural order whatever the lane order. */
    int[] pairs() {
        return pairs;
    }

    /** Q8_1's per-block {@code s} (see {@link #quantizeQ8_0}). */
    float[] offsetSums() {
        return offsetSums;
    }
}
