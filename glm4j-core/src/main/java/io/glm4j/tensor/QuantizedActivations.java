package io.glm4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

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
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** {@link #S}'s shape as ints: pairs of quants. */
    private static final VectorSpecies<Integer> PAIRS = S.withLanes(int.class);
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final float ROUNDING = 0x1.8p23f;
    /** Below this many values (a few tokens) the blocks are rounded on the calling thread. */
    private static final int PARALLEL_FROM_VALUES = 1 << 16;
    private static final ThreadLocal<short[]> LANE_ORDER_SCRATCH = ThreadLocal.withInitial(() -> new short[256]);

    private float[] values = new float[0];
    private short[] quants = new short[0];
    private float[] scales = new float[0];
    private int[] sums16 = new int[0];
    private int[] pairs = new int[0];
    private int[] nibblePairs = new int[0];
    private int[] sixBitFields = new int[0];
    private float[] offsetSums = new float[0];
    private float[] source;
    private ActivationFormat format;
    private int cols, count;

    /** Rounds {@code rows} rows of {@code cols} values of {@code x}; {@code laneOrder} may be null (no int8 kernel). */
    void quantize(ActivationFormat format, float[] x, int rows, int cols, int[] laneOrder) {
        quantize(null, format, x, rows, cols, laneOrder);
    }

    /**
     * As {@link #quantize(ActivationFormat, float[], int, int, int[])}; a large batch's blocks are
     * shared out over {@code pool} (if not null), each block rounded exactly as alone.
     */
    void quantize(WorkerPool pool, ActivationFormat format, float[] x, int rows, int cols, int[] laneOrder) {
        this.format = format;
        this.cols = cols;
        int n = rows * cols;
        this.count = n;
        if (format == ActivationFormat.F32) {
            source = x;
            return;
        }
        source = null;
        int block = format.blockSize;
        if (cols % block != 0) throw new IllegalArgumentException(cols + " values is not a whole number of " + format + " blocks");
        grow(n, block);
        if (pool != null && n >= PARALLEL_FROM_VALUES) {
            pool.forRange(n / block, 1, (start, end) -> quantizeBlocks(x, start, end, laneOrder));
        } else {
            quantizeBlocks(x, 0, n / block, laneOrder);
        }
    }

    private void grow(int n, int block) {
        if (values.length < n) values = new float[n];
        if (quants.length < n) {
            quants = new short[n];
            sums16 = new int[n / 16];
            pairs = new int[n / 2];
            nibblePairs = new int[n / 4];
            sixBitFields = new int[n / 16 * SIX_BIT_FIELDS];
        }
        if (scales.length < n / block) {
            scales = new float[n / block];
            offsetSums = new float[n / block];
        }
    }

    /**
     * Blocks {@code [from, to)}, one vector of values at a time: quants rounded half to even by
     * adding and taking away 1.5·2^23 (exact, as {@code Math.rint}, for the |v| ≤ 127 met here),
     * then their float values, pairs, sums of 16 and the quants themselves (in a kernel's lane
     * order through a per-thread copy of the block).
     */
    private void quantizeBlocks(float[] x, int from, int to, int[] laneOrder) {
        int block = format.blockSize;
        short[] ordered = laneOrder != null ? LANE_ORDER_SCRATCH.get() : null;
        for (int b = from; b < to; b++) {
            int base = b * block;
            FloatVector highest = FloatVector.zero(F), lowest = highest;
            for (int i = 0; i < block; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, base + i);
                highest = highest.max(v);
                lowest = lowest.min(v);
            }
            float high = highest.reduceLanes(VectorOperators.MAX), low = lowest.reduceLanes(VectorOperators.MIN);
            float amax = Math.max(high, -low);
            float multiplier, d;
            if (format == ActivationFormat.Q8_0) { // llama.cpp's quantize_row_q8_0
                multiplier = amax != 0 ? 127f / amax : 0f;
                d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            } else { // quantize_row_q8_K: the first value of largest magnitude maps to −127
                float max = high > -low ? high : high < -low ? low : firstOfMagnitude(x, base, amax); // a tie: the first wins
                multiplier = amax != 0 ? -127f / max : 0f;
                d = amax != 0 ? 1 / multiplier : 0f;
            }
            scales[b] = d;
            for (int i = 0; i < block; i += F.length()) {
                FloatVector q = FloatVector.fromArray(F, x, base + i).mul(multiplier).add(ROUNDING).sub(ROUNDING);
                if (format == ActivationFormat.Q8_K) q = q.min(127f);
                q.mul(d).intoArray(values, base + i);
                IntVector qi = (IntVector) q.convertShape(VectorOperators.F2I, I, 0);
                int sum = qi.reduceLanes(VectorOperators.ADD);
                if ((i & 15) == 0) sums16[(base + i) >> 4] = sum;
                else sums16[(base + i) >> 4] += sum;
                ShortVector qs = (ShortVector) qi.convertShape(VectorOperators.I2S, S, 0);
                ((IntVector) qs.reinterpretShape(PAIRS, 0)).intoArray(pairs, (base + i) >> 1);
                qs.intoArray(ordered != null ? ordered : quants, ordered != null ? i : base + i);
            }
            if (ordered != null) for (int i = 0; i < block; i++) quants[base + laneOrder[i]] = ordered[i];
            if (format == ActivationFormat.Q8_0) { // Q8_1's s, see offsetSums, and the nibble pairs
                offsetSums[b] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f * (sums16[2 * b] + sums16[2 * b + 1])));
                for (int j = 0; j < 8; j += PAIRS.length()) {
                    ShortVector lowPairs = (ShortVector) IntVector.fromArray(PAIRS, pairs, (base >> 1) + j).reinterpretShape(S, 0);
                    ShortVector highPairs = (ShortVector) IntVector.fromArray(PAIRS, pairs, (base >> 1) + 8 + j).reinterpretShape(S, 0);
                    ((IntVector) highPairs.sub(lowPairs.lanewise(VectorOperators.LSHL, 4)).reinterpretShape(PAIRS, 0)).intoArray(nibblePairs, (base >> 2) + j);
                }
            }
        }
    }

    /** The first value of the 256-value block whose magnitude is {@code amax} ({@code amax} itself if none is: a NaN block). */
    private static float firstOfMagnitude(float[] x, int base, float amax) {
        for (int i = base; i < base + 256; i += F.length()) {
            VectorMask<Float> at = FloatVector.fromArray(F, x, i).abs().eq(amax);
            if (at.anyTrue()) return x[i + at.firstTrue()];
        }
        return amax;
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

    /**
     * For a Q8_0 row, int 8b+j holds, as two shorts that wrap, the pair of quants 32b+2j+16 and
     * 32b+2j+17 minus 16 times the pair 32b+2j and 32b+2j+1. With q = lo + 16·hi a byte of two
     * nibbles, q·(x₀, x₁) + hi·(x₁₆ − 16·x₀, x₁₇ − 16·x₁) = lo·(x₀, x₁) + hi·(x₁₆, x₁₇): a kernel
     * multiplies the whole byte and its top nibble, never masking the low one (see {@link Q4_0RowGroups}).
     */
    int[] nibblePairs() {
        return nibblePairs;
    }

    /** Ints per 16 values in {@link #sixBitFields}. */
    static final int SIX_BIT_FIELDS = 11;

    /**
     * Fills {@link #sixBitFields} for the rows last quantized; a kernel that reads them calls this
     * once per product, before the rows are shared out.
     *
     * <p>Per 16 values, pairs X_k = (x_2k, x_2k+1): int 0 is −32·Σ X_k, then, as two shorts that
     * wrap, X0, X1 − 64·X0, X6 − 64·X1, X2, X3 − 64·X2, X7 − 64·X3, X4, X5 − 64·X4, 16·X6 − 64·X5
     * and 16·X7 − 64·X6. A short holding unsigned fields f_i at bits e_i meets them as Σ (s >>> e_i)·a_i
     * with a_i = c_i − 2^(e_i − e_{i−1})·c_{i−1}, which telescopes to Σ f_i·c_i: every field is
     * multiplied where it lies, none masked out (see {@link Q6KRowGroups}).
     */
    void computeSixBitFields() {
        for (int g = 0; g < count / 16; g++) {
            int at = 8 * g, out = SIX_BIT_FIELDS * g;
            for (int half = 0; half < 32; half += 16) {
                int x0 = (short) (pairs[at] >> half), x1 = (short) (pairs[at + 1] >> half), x2 = (short) (pairs[at + 2] >> half);
                int x3 = (short) (pairs[at + 3] >> half), x4 = (short) (pairs[at + 4] >> half), x5 = (short) (pairs[at + 5] >> half);
                int x6 = (short) (pairs[at + 6] >> half), x7 = (short) (pairs[at + 7] >> half);
                setHalf(out, half, -32 * (x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7));
                setHalf(out + 1, half, x0);
                setHalf(out + 2, half, x1 - 64 * x0);
                setHalf(out + 3, half, x6 - 64 * x1);
                setHalf(out + 4, half, x2);
                setHalf(out + 5, half, x3 - 64 * x2);
                setHalf(out + 6, half, x7 - 64 * x3);
                setHalf(out + 7, half, x4);
                setHalf(out + 8, half, x5 - 64 * x4);
                setHalf(out + 9, half, 16 * x6 - 64 * x5);
                setHalf(out + 10, half, 16 * x7 - 64 * x6);
            }
        }
    }

    private void setHalf(int i, int half, int value) {
        sixBitFields[i] = half == 0 ? sixBitFields[i] & 0xFFFF0000 | value & 0xFFFF : sixBitFields[i] & 0xFFFF | value << 16;
    }

    /** {@link #SIX_BIT_FIELDS} ints per 16 values, filled by {@link #computeSixBitFields}. */
    int[] sixBitFields() {
        return sixBitFields;
    }

    /** Q8_1's per-block {@code s = d·Σq} (d before its float16 rounding), for the Q4_1 and Q5_1 dots. */
    float[] offsetSums() {
        return offsetSums;
    }
}
