package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K super-blocks of 256 values in eight sub-blocks of 32: fp16 d, fp16 dmin, the 12 bytes of
 * {@link KQuantScales}, then 128 bytes of 4-bit quants. Each run of 32 bytes holds two sub-blocks,
 * the first in the low nibbles, the second in the high ones; value = d·scale_j·q − dmin·min_j.
 */
final class Q4KKernel implements RowKernel, QuantizedDot {
    static final Q4KKernel INSTANCE = new Q4KKernel();
    private static final GgmlType TYPE = GgmlType.Q4_K;
    private static final VectorSpecies<Float> F = Int8Lanes.F;
    private static final VectorSpecies<Integer> I = Int8Lanes.I;
    private static final VectorSpecies<Short> S = Int8Lanes.S;
    private static final VectorSpecies<Byte> B64 = Int8Lanes.B;
    private static final int DMIN = 2, SCALES = 4, QS = 16;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] LANE_ORDER = laneOrder256();

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        if (!Int8Lanes.AVAILABLE) { // the lanes below would be Java code (see Int8Lanes.AVAILABLE)
            dequantizeScalar(data, offset, dst, dstOffset, count);
            return;
        }
        float[] scalesAndMins = new float[16]; // d·scale_j in 0..7, −dmin·min_j in 8..15
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            IntVector bytes = ((IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + SCALES, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, I, 0)).and(0xFF);
            IntVector sixBits = bytes.rearrange(LOW_BITS).lanewise(VectorOperators.LSHR, LOW_SHIFT).and(LOW_MASK)
                    .or(bytes.rearrange(TOP_BITS).lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4).and(TOP_MASK));
            int dAndMin = data.get(LE_INT, block);
            FloatVector factors = FloatVector.broadcast(F, Float.float16ToFloat((short) dAndMin))
                    .blend(-Float.float16ToFloat((short) (dAndMin >>> 16)), MINS);
            ((FloatVector) sixBits.convertShape(VectorOperators.I2F, F, 0)).mul(factors).intoArray(scalesAndMins, 0);
            for (int c = 0; c < 4; c++) {
                FloatVector scaleLo = FloatVector.broadcast(F, scalesAndMins[2 * c]), minLo = FloatVector.broadcast(F, scalesAndMins[8 + 2 * c]);
                FloatVector scaleHi = FloatVector.broadcast(F, scalesAndMins[2 * c + 1]), minHi = FloatVector.broadcast(F, scalesAndMins[9 + 2 * c]);
                for (int i = 0; i < 32; i += 16) {
                    int out = dstOffset + b * 256 + c * 64 + i;
                    ByteVector q = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS + c * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    ((FloatVector) q.and((byte) 0xF).convertShape(VectorOperators.B2F, F, 0)).fma(scaleLo, minLo).intoArray(dst, out);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, F, 0)).fma(scaleHi, minHi).intoArray(dst, out + 32);
                }
            }
        }
    }

    /** One value at a time, as the lanes above compute it: q·(d·scale_j) − dmin·min_j in one fma. */
    private static void dequantizeScalar(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block), dmin = HalfFloats.f16(data, block + DMIN);
            for (int j = 0; j < 8; j++) {
                float scale = KQuantScales.scale(data, block + SCALES, j) * d, min = KQuantScales.min(data, block + SCALES, j) * -dmin;
                int out = dstOffset + b * 256 + j * 32, shift = 4 * (j & 1);
                for (int i = 0; i < 32; i++) {
                    int q = (data.get(ValueLayout.JAVA_BYTE, block + QS + (j >> 1) * 32 + i) & 0xFF) >> shift & 0xF;
                    dst[out + i] = Math.fma(q, scale, min);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        float[] scales = KQuantScales.scalesBuffer(), mins = KQuantScales.minsBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            KQuantScales.unpack(data, block + SCALES, HalfFloats.f16(data, block), HalfFloats.f16(data, block + DMIN), scales, mins);
            for (int c = 0; c < 4; c++) {
                FloatVector loScale = FloatVector.broadcast(QuantLanes.FLOATS, scales[2 * c]);
                FloatVector loBias = FloatVector.broadcast(QuantLanes.FLOATS, -mins[2 * c]);
                FloatVector hiScale = FloatVector.broadcast(QuantLanes.FLOATS, scales[2 * c + 1]);
                FloatVector hiBias = FloatVector.broadcast(QuantLanes.FLOATS, -mins[2 * c + 1]);
                int in = xOffset + b * 256 + c * 64;
                for (int i = 0; i < 32; i += QuantLanes.BYTES.length()) {
                    ByteVector q = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + c * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    acc = QuantLanes.fma(q.and((byte) 0xF), loScale, loBias, x, in + i, acc);
                    acc = QuantLanes.fma(q.lanewise(VectorOperators.LSHR, 4), hiScale, hiBias, x, in + 32 + i, acc);
                }
            }
        }
        return FloatSums.sum(acc);
    }

    /**
     * Q4_K · Q8_K. 64 bytes of quants are read as 32 little-endian shorts; lane k holds bytes 2k
     * and 2k+1 of one 32-byte run, i.e. four nibbles: the low nibbles are values 2k', 2k'+1 of the
     * run's even sub-block and the high nibbles the same values of its odd sub-block. Masks and
     * shifts give four vectors of 32 quants, each multiplied by activations laid out to match
     * ({@link #laneOrder}); adding the even and odd products leaves, per half-vector, 16 sums of
     * one sub-block (at most 2·15·127, so shorts hold them). Widened to ints, they are weighted by
     * the 6-bit sub-block scales; the minima meet the activations' sums per sub-block.
     */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums16();
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 256;
            // lanes 0..7: the eight 6-bit scales, lanes 8..15: the eight 6-bit mins (see KQuantScales)
            IntVector bytes = ((IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + SCALES, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, I, 0)).and(0xFF);
            IntVector scalesAndMins = bytes.rearrange(LOW_BITS).lanewise(VectorOperators.LSHR, LOW_SHIFT).and(LOW_MASK)
                    .or(bytes.rearrange(TOP_BITS).lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4).and(TOP_MASK));
            // Σ_j min_j · (activation quants of sub-block j), as a vector whose lanes add up to it
            IntVector minTerms = IntVector.fromArray(I, xs, xb >> 4).mul(scalesAndMins.rearrange(MIN_OF_SUM16));

            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B64, data, block + QS, ByteOrder.LITTLE_ENDIAN).reinterpretShape(S, 0);
            IntVector even = (IntVector) q.and((short) 0xF).mul(ShortVector.fromArray(S, xq, xb))
                    .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S, xq, xb + 32))).reinterpretShape(I, 0);
            IntVector odd = (IntVector) q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S, xq, xb + 64))
                    .add(q.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xb + 96))).reinterpretShape(I, 0);
            // neighbouring shorts of one sub-block into ints (pmaddwd with ones): lanes 0..7 sub-block 0 (2), 8..15 sub-block 2 (3)
            IntVector sums = even.add(even.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .mul(scalesAndMins.rearrange(SCALES_02));
            sums = sums.add(odd.add(odd.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .mul(scalesAndMins.rearrange(SCALES_13)));

            q = (ShortVector) ByteVector.fromMemorySegment(B64, data, block + QS + 64, ByteOrder.LITTLE_ENDIAN).reinterpretShape(S, 0);
            even = (IntVector) q.and((short) 0xF).mul(ShortVector.fromArray(S, xq, xb + 128))
                    .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S, xq, xb + 160))).reinterpretShape(I, 0);
            odd = (IntVector) q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S, xq, xb + 192))
                    .add(q.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xb + 224))).reinterpretShape(I, 0);
            sums = sums.add(even.add(even.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .mul(scalesAndMins.rearrange(SCALES_46)));
            sums = sums.add(odd.add(odd.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .mul(scalesAndMins.rearrange(SCALES_57)));

            float dx = xd[xb >> 8];
            int dAndMin = data.get(LE_INT, block); // read together: the method is past C2's inlining budget here
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat((short) dAndMin) * dx), acc);
            acc = ((FloatVector) minTerms.convertShape(VectorOperators.I2F, F, 0))
                    .fma(FloatVector.broadcast(F, -Float.float16ToFloat((short) (dAndMin >>> 16)) * dx), acc);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0);
    }

    // Unpacking the 12 scale bytes (b) in vector lanes: scale_j = b[j] & 63 for j < 4, else
    // (b[j+4] & 15) | (b[j-4] >> 6) << 4; min_j = b[j+4] & 63 for j < 4, else (b[j+4] >> 4) | (b[j] >> 6) << 4.
    private static final VectorShuffle<Integer> LOW_BITS = VectorShuffle.fromValues(I, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11);
    private static final IntVector LOW_SHIFT = IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4}, 0);
    private static final IntVector LOW_MASK = IntVector.fromArray(I, new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final VectorShuffle<Integer> TOP_BITS = VectorShuffle.fromValues(I, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7);
    private static final IntVector TOP_MASK = IntVector.fromArray(I, new int[] {0, 0, 0, 0, 48, 48, 48, 48, 0, 0, 0, 0, 48, 48, 48, 48}, 0);
    private static final VectorMask<Float> MINS = VectorMask.fromLong(F, 0xFF00L);
    /** Lane k of the activations' sums per 16 belongs to sub-block k/2, whose min is lane 8 + k/2. */
    private static final VectorShuffle<Integer> MIN_OF_SUM16 = VectorShuffle.fromOp(I, k -> 8 + k / 2);
    /** Pair-summed lanes 0..7 and 8..15 of one half's even (odd) products: scales of sub-blocks 4h+0 and 4h+2 (4h+1, 4h+3). */
    private static final VectorShuffle<Integer> SCALES_02 = VectorShuffle.fromOp(I, l -> l < 8 ? 0 : 2);
    private static final VectorShuffle<Integer> SCALES_13 = VectorShuffle.fromOp(I, l -> l < 8 ? 1 : 3);
    private static final VectorShuffle<Integer> SCALES_46 = VectorShuffle.fromOp(I, l -> l < 8 ? 4 : 6);
    private static final VectorShuffle<Integer> SCALES_57 = VectorShuffle.fromOp(I, l -> l < 8 ? 5 : 7);

    @Override
    public int tiledFromTokens() {
        return 4;
    }

    @Override
    public int[] laneOrder() {
        return LANE_ORDER;
    }

    /**
     * Where each of a super-block's 256 activations goes so that it meets its weight in
     * {@link #dot}: per 128 values, four runs of 32 lanes — low nibble of the even byte, low of
     * the odd byte, high of the even byte, high of the odd byte.
     */
    private static int[] laneOrder256() {
        int[] order = new int[256];
        for (int h = 0; h < 2; h++) {
            for (int k = 0; k < 32; k++) {
                int value = (2 * h + k / 16) * 64 + (2 * k) % 32;
                order[value] = h * 128 + k;
                order[value + 1] = h * 128 + 32 + k;
                order[value + 32] = h * 128 + 64 + k;
                order[value + 33] = h * 128 + 96 + k;
            }
        }
        return order;
    }
}
