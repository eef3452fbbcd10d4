package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
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
        float[] scales = new float[8], mins = new float[8];
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            KQuantScales.unpack(data, block + SCALES, HalfFloats.f16(data, block), HalfFloats.f16(data, block + DMIN), scales, mins);
            for (int c = 0; c < 4; c++) {
                int out = dstOffset + b * 256 + c * 64;
                ByteVector q = ByteVector.fromMemorySegment(Int8Lanes.B256, data, block + QS + c * 32, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF), hi = q.lanewise(VectorOperators.LSHR, 4);
                for (int part = 0; part < 2; part++) {
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).mul(scales[2 * c]).sub(mins[2 * c]).intoArray(dst, out + 16 * part);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).mul(scales[2 * c + 1]).sub(mins[2 * c + 1]).intoArray(dst, out + 32 + 16 * part);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        float[] scales = new float[8], mins = new float[8];
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
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count, float[] lanes) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums16();
        float sum = 0;
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 256;
            int s1 = data.get(LE_INT, block + SCALES + 4), s2 = data.get(LE_INT, block + SCALES + 8);
            int m0 = s1 & 63, m1 = (s1 >>> 8) & 63, m2 = (s1 >>> 16) & 63, m3 = (s1 >>> 24) & 63;
            int m4 = ((s2 >>> 4) & 0xF) | ((s1 >>> 6) & 3) << 4, m5 = ((s2 >>> 12) & 0xF) | ((s1 >>> 14) & 3) << 4;
            int m6 = ((s2 >>> 20) & 0xF) | ((s1 >>> 22) & 3) << 4, m7 = ((s2 >>> 28) & 0xF) | ((s1 >>> 30) & 3) << 4;
            int s = xb >> 4;
            int minSum = m0 * (xs[s] + xs[s + 1]) + m1 * (xs[s + 2] + xs[s + 3]) + m2 * (xs[s + 4] + xs[s + 5]) + m3 * (xs[s + 6] + xs[s + 7])
                    + m4 * (xs[s + 8] + xs[s + 9]) + m5 * (xs[s + 10] + xs[s + 11]) + m6 * (xs[s + 12] + xs[s + 13]) + m7 * (xs[s + 14] + xs[s + 15]);
            float dx = xd[xb >> 8];
            sum += HalfFloats.f16(data, block) * dx * scaledSum(data, block, xq, xb) - HalfFloats.f16(data, block + DMIN) * dx * minSum;
        }
        return sum;
    }

    /**
     * Σ_j scale_j · Σ_{i in sub-block j} q_i·x_i over one super-block, exactly, in ints. Kept out of
     * the row loop so that C2 compiles it whole: inlined into a larger method it can hit C2's node
     * limit mid-way, and vector values passed across a call that was not inlined are boxed.
     */
    private static int scaledSum(MemorySegment data, long block, short[] xq, int xb) {
        int s0 = data.get(LE_INT, block + SCALES), s2 = data.get(LE_INT, block + SCALES + 8);
        IntVector sums = IntVector.zero(I);
        for (int h = 0; h < 2; h++) {
            // sub-blocks 4h..4h+3: scale 6 bits, from byte j (h = 0) or nibble of byte j+8 plus two top bits of byte j-4 (h = 1)
            int scA, scB, scC, scD;
            if (h == 0) {
                scA = s0 & 63; scB = (s0 >>> 8) & 63; scC = (s0 >>> 16) & 63; scD = (s0 >>> 24) & 63;
            } else {
                scA = (s2 & 0xF) | ((s0 >>> 6) & 3) << 4; scB = ((s2 >>> 8) & 0xF) | ((s0 >>> 14) & 3) << 4;
                scC = ((s2 >>> 16) & 0xF) | ((s0 >>> 22) & 3) << 4; scD = ((s2 >>> 24) & 0xF) | ((s0 >>> 30) & 3) << 4;
            }
            int xh = xb + 128 * h;
            ShortVector q = ByteVector.fromMemorySegment(B64, data, block + QS + 64 * h, ByteOrder.LITTLE_ENDIAN).reinterpretAsShorts();
            ShortVector even = q.and((short) 0xF).mul(ShortVector.fromArray(S, xq, xh))
                    .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S, xq, xh + 32)));
            ShortVector odd = q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S, xq, xh + 64))
                    .add(q.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xh + 96)));
            sums = sums.add(((IntVector) even.convertShape(VectorOperators.S2I, I, 0)).mul(scA))
                    .add(((IntVector) even.convertShape(VectorOperators.S2I, I, 1)).mul(scC))
                    .add(((IntVector) odd.convertShape(VectorOperators.S2I, I, 0)).mul(scB))
                    .add(((IntVector) odd.convertShape(VectorOperators.S2I, I, 1)).mul(scD));
        }
        return sums.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public int[] laneOrder() {
        return LANE_ORDER;
    }

    /**
     * Where each of a super-block's 256 activations goes so that it meets its weight in
     * {@link #scaledSum}: per 128 values, four runs of 32 lanes — low nibble of the even byte, low of
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
