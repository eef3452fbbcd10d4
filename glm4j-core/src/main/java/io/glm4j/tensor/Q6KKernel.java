package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K super-blocks of 256 values in sixteen groups of 16: 128 bytes ql (low 4 bits), 64 bytes qh
 * (top 2 bits), 16 signed 8-bit group scales, then fp16 d; value = d·scale·(q − 32). Each half of
 * 128 values uses 64 ql and 32 qh bytes: value i (i &lt; 32) of its quarter k takes the low (k = 0, 1)
 * or high (k = 2, 3) nibble of ql[i + 32·(k mod 2)] and bits 2k..2k+1 of qh[i].
 */
final class Q6KKernel implements RowKernel, QuantizedDot {
    static final Q6KKernel INSTANCE = new Q6KKernel();
    private static final GgmlType TYPE = GgmlType.Q6_K;
    private static final int QH = 128, SCALES = 192, D = 208;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        if (!Int8Lanes.AVAILABLE) { // the lanes below would be Java code (see Int8Lanes.AVAILABLE)
            dequantizeScalar(data, offset, dst, dstOffset, count);
            return;
        }
        float[] scales = KQuantScales.scalesBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            groupScales(data, block, scales);
            for (int h = 0; h < 2; h++) {
                for (int i = 0; i < 32; i += 16) {
                    int out = dstOffset + b * 256 + h * 128 + i, g = h * 8 + i / 16;
                    ByteVector qh = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QH + h * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    ByteVector ql0 = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + h * 64 + i, ByteOrder.LITTLE_ENDIAN);
                    ByteVector ql1 = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + h * 64 + 32 + i, ByteOrder.LITTLE_ENDIAN);
                    // quarter k: low (k < 2) or high nibble of ql[k mod 2], bits 2k..2k+1 of qh as bits 4..5
                    ByteVector q0 = ql0.and((byte) 0xF).or(qh.lanewise(VectorOperators.LSHL, 4).and((byte) 0x30));
                    ByteVector q1 = ql1.and((byte) 0xF).or(qh.lanewise(VectorOperators.LSHL, 2).and((byte) 0x30));
                    ByteVector q2 = ql0.lanewise(VectorOperators.LSHR, 4).or(qh.and((byte) 0x30));
                    ByteVector q3 = ql1.lanewise(VectorOperators.LSHR, 4).or(qh.lanewise(VectorOperators.LSHR, 2).and((byte) 0x30));
                    ((FloatVector) q0.sub((byte) 32).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(scales[g]).intoArray(dst, out);
                    ((FloatVector) q1.sub((byte) 32).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(scales[g + 2]).intoArray(dst, out + 32);
                    ((FloatVector) q2.sub((byte) 32).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(scales[g + 4]).intoArray(dst, out + 64);
                    ((FloatVector) q3.sub((byte) 32).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(scales[g + 6]).intoArray(dst, out + 96);
                }
            }
        }
    }

    /** One value at a time, as the lanes above compute it: (q − 32)·(d·scale_g). */
    private static void dequantizeScalar(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        float[] scales = KQuantScales.scalesBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            groupScales(data, block, scales);
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int out = dstOffset + b * 256 + h * 128 + l, g = h * 8 + l / 16;
                    int qh = data.get(ValueLayout.JAVA_BYTE, block + QH + h * 32 + l) & 0xFF;
                    int ql0 = data.get(ValueLayout.JAVA_BYTE, block + h * 64 + l) & 0xFF, ql1 = data.get(ValueLayout.JAVA_BYTE, block + h * 64 + 32 + l) & 0xFF;
                    dst[out] = ((ql0 & 0xF | (qh & 3) << 4) - 32) * scales[g];
                    dst[out + 32] = ((ql1 & 0xF | (qh >> 2 & 3) << 4) - 32) * scales[g + 2];
                    dst[out + 64] = ((ql0 >> 4 | (qh >> 4 & 3) << 4) - 32) * scales[g + 4];
                    dst[out + 96] = ((ql1 >> 4 | (qh >> 6 & 3) << 4) - 32) * scales[g + 6];
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        FloatVector zero = FloatVector.zero(QuantLanes.FLOATS);
        float[] scales = KQuantScales.scalesBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            groupScales(data, block, scales);
            for (int h = 0; h < 2; h++) {
                int in = xOffset + b * 256 + h * 128;
                // a chunk of at most 16 lanes never straddles a group of 16
                for (int i = 0; i < 32; i += QuantLanes.BYTES.length()) {
                    ByteVector qh = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QH + h * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    for (int k = 0; k < 4; k++) {
                        ByteVector ql = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + h * 64 + (k & 1) * 32 + i, ByteOrder.LITTLE_ENDIAN);
                        ByteVector q = ql.lanewise(VectorOperators.LSHR, 4 * (k >> 1)).and((byte) 0xF)
                                .or(qh.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                                .sub((byte) 32);
                        FloatVector scale = FloatVector.broadcast(QuantLanes.FLOATS, scales[h * 8 + i / 16 + 2 * k]);
                        acc = QuantLanes.fma(q, scale, zero, x, in + 32 * k + i, acc);
                    }
                }
            }
        }
        return FloatSums.sum(acc);
    }

    /** {@code scales[g] = d·scale_g}, rounded before it meets q, as the reference does. */
    private static void groupScales(MemorySegment data, long block, float[] scales) {
        float d = HalfFloats.f16(data, block + D);
        for (int g = 0; g < 16; g++) scales[g] = d * data.get(ValueLayout.JAVA_BYTE, block + SCALES + g);
    }

    private static final int[] LANE_ORDER = laneOrder256();
    /**
     * Indexes into (qh, qh >> 2): lanes 0..15 take half h's 16 qh shorts (shorts 16h..16h+15 of all 64
     * qh bytes), lanes 16..31 the same shorts shifted down 2, as the second 32 values of each
     * quarter pair keep their bits 2 higher. A two-vector select with constant shifts, not a shift
     * by a vector of counts: C2 compiled that one, late in this large method, as a Java call.
     */
    private static final ShortVector QH_HALF0 = ShortVector.zero(Int8Lanes.S).addIndex(1).add((short) 16, VectorMask.fromLong(Int8Lanes.S, 0xFFFF0000L));
    private static final ShortVector QH_HALF1 = QH_HALF0.add((short) 16);
    /** Int lane l of a pair-summed vector belongs to scale group l/4 of its 64 values: groups 0..3, 4..7, 8..11, 12..15. */
    private static final VectorShuffle<Integer> GROUPS0 = VectorShuffle.fromOp(Int8Lanes.I, l -> l / 4);
    private static final VectorShuffle<Integer> GROUPS1 = VectorShuffle.fromOp(Int8Lanes.I, l -> 4 + l / 4);
    private static final VectorShuffle<Integer> GROUPS2 = VectorShuffle.fromOp(Int8Lanes.I, l -> 8 + l / 4);
    private static final VectorShuffle<Integer> GROUPS3 = VectorShuffle.fromOp(Int8Lanes.I, l -> 12 + l / 4);

    /**
     * Q6_K · Q8_K. Per half of 128 values, the 64 ql bytes are read as 32 shorts (lane m: bytes 2m,
     * 2m+1): the low nibbles are values 2m and 2m+1, the high nibbles 64+2m and 65+2m. Their top two
     * bits come from the qh short of lane m mod 16 (shifted by 2 more for m ≥ 16), masked into bits
     * 4..5. Products with the matching activations ({@link #laneOrder}) are summed in pairs, weighted
     * by the int8 group scales, and the −32 offset comes off through the activations' sums per 16.
     */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        int blocks = Blocks.of(count, TYPE);
        return firstHalves(data, offset, x, xOffset, blocks) + secondHalves(data, offset, x, xOffset, blocks);
    }

    /*
     * The two halves of every super-block in two passes over the row (the second finds it in L1),
     * each a loop of its own: with both halves in one loop body the method outgrew C2's inlining
     * budget once other kernels had run, and the Vector API calls past it ran as plain Java, 3×
     * slower and allocating. The halves differ in constants (qh lanes, scale groups, offsets), which
     * must stay constants for C2 to emit one instruction each, hence two methods.
     */

    /** Values 0..127 of every super-block: Σ_g scale_g · Σ_{i in g} (q_i − 32)·x_i, the −32 offset of all 256 included. */
    private static float firstHalves(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int blocks) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums16();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 256;
            IntVector scales = (IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + SCALES, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, Int8Lanes.I, 0);
            ShortVector qhAll = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B, data, block + QH, ByteOrder.LITTLE_ENDIAN).reinterpretShape(Int8Lanes.S, 0);
            ShortVector qh = QH_HALF0.selectFrom(qhAll, qhAll.lanewise(VectorOperators.LSHR, 2));
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B, data, block, ByteOrder.LITTLE_ENDIAN).reinterpretShape(Int8Lanes.S, 0);
            IntVector low = (IntVector) q.and((short) 0xF).or(qh.lanewise(VectorOperators.LSHL, 4).and((short) 0x30)).mul(ShortVector.fromArray(Int8Lanes.S, xq, xb))
                    .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).or(qh.lanewise(VectorOperators.LSHR, 4).and((short) 0x30))
                            .mul(ShortVector.fromArray(Int8Lanes.S, xq, xb + 32))).reinterpretShape(Int8Lanes.I, 0);
            IntVector high = (IntVector) q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).or(qh.and((short) 0x30)).mul(ShortVector.fromArray(Int8Lanes.S, xq, xb + 64))
                    .add(q.lanewise(VectorOperators.LSHR, 12).or(qh.lanewise(VectorOperators.LSHR, 8).and((short) 0x30))
                            .mul(ShortVector.fromArray(Int8Lanes.S, xq, xb + 96))).reinterpretShape(Int8Lanes.I, 0);
            // pairs of neighbouring shorts (one scale group) into ints, as Int8Lanes.pairSums
            low = low.add(low.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            high = high.add(high.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            IntVector sums = IntVector.fromArray(Int8Lanes.I, xs, xb >> 4).mul(scales).lanewise(VectorOperators.LSHL, 5).neg()
                    .add(low.mul(scales.rearrange(GROUPS0))).add(high.mul(scales.rearrange(GROUPS1)));
            // d read here, not through HalfFloats: a call in this loop spills every vector
            float scale = Float.float16ToFloat(data.get(HalfFloats.LE_SHORT, block + D)) * xd[xb >> 8];
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale), acc);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0);
    }

    /** Values 128..255 of every super-block, as {@link #firstHalves} without the offset. */
    private static float secondHalves(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int blocks) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        for (int b = 0; b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 256 + 128;
            IntVector scales = (IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + SCALES, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, Int8Lanes.I, 0);
            ShortVector qhAll = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B, data, block + QH, ByteOrder.LITTLE_ENDIAN).reinterpretShape(Int8Lanes.S, 0);
            ShortVector qh = QH_HALF1.selectFrom(qhAll, qhAll.lanewise(VectorOperators.LSHR, 2));
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B, data, block + 64, ByteOrder.LITTLE_ENDIAN).reinterpretShape(Int8Lanes.S, 0);
            IntVector low = (IntVector) q.and((short) 0xF).or(qh.lanewise(VectorOperators.LSHL, 4).and((short) 0x30)).mul(ShortVector.fromArray(Int8Lanes.S, xq, xb))
                    .add(q.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).or(qh.lanewise(VectorOperators.LSHR, 4).and((short) 0x30))
                            .mul(ShortVector.fromArray(Int8Lanes.S, xq, xb + 32))).reinterpretShape(Int8Lanes.I, 0);
            IntVector high = (IntVector) q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).or(qh.and((short) 0x30)).mul(ShortVector.fromArray(Int8Lanes.S, xq, xb + 64))
                    .add(q.lanewise(VectorOperators.LSHR, 12).or(qh.lanewise(VectorOperators.LSHR, 8).and((short) 0x30))
                            .mul(ShortVector.fromArray(Int8Lanes.S, xq, xb + 96))).reinterpretShape(Int8Lanes.I, 0);
            low = low.add(low.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            high = high.add(high.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            IntVector sums = low.mul(scales.rearrange(GROUPS2)).add(high.mul(scales.rearrange(GROUPS3)));
            float scale = Float.float16ToFloat(data.get(HalfFloats.LE_SHORT, block + D)) * xd[(xb - 128) >> 8];
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale), acc);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0);
    }

    @Override
    public int[] laneOrder() {
        return LANE_ORDER;
    }

    /** Per 128 values: lanes of the low nibbles of even bytes, odd bytes, then high nibbles of even, odd bytes. */
    private static int[] laneOrder256() {
        int[] order = new int[256];
        for (int h = 0; h < 2; h++) {
            for (int m = 0; m < 32; m++) {
                order[h * 128 + 2 * m] = h * 128 + m;
                order[h * 128 + 2 * m + 1] = h * 128 + 32 + m;
                order[h * 128 + 64 + 2 * m] = h * 128 + 64 + m;
                order[h * 128 + 65 + 2 * m] = h * 128 + 96 + m;
            }
        }
        return order;
    }
}
