package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q4_0 blocks of 32 values: fp16 scale d, then 16 bytes of 4-bit quants. Byte i holds value i in
 * its low nibble and value i+16 in its high nibble; value = d·(q − 8).
 */
final class Q4_0Kernel implements RowKernel, QuantizedDot {
    static final Q4_0Kernel INSTANCE = new Q4_0Kernel();
    private static final GgmlType TYPE = GgmlType.Q4_0;
    private static final int QS = 2;
    /** Blocks whose scales are gathered together (288 bytes). */
    private static final int GROUP = 16;
    /** Byte lanes 2k, 2k+1 take d_k (bytes 18k, 18k+1 of the group): k = 0..7 from bytes 0..127, 8..14 from 128..255, 15 from 224..287. */
    private static final ByteVector D_FIRST = dIndexes(0, 8, 0);
    private static final ByteVector D_SECOND = dIndexes(8, 15, 128);
    private static final VectorShuffle<Byte> D_LAST = VectorShuffle.fromOp(Int8Lanes.B, i -> i == 30 || i == 31 ? 18 * 15 - 224 + i - 30 : 0);
    private static final VectorMask<Byte> SECOND_LANES = VectorMask.fromLong(Int8Lanes.B, 0x3FFF_0000L);
    private static final VectorMask<Byte> LAST_LANES = VectorMask.fromLong(Int8Lanes.B, 0xC000_0000L);
    private static final ThreadLocal<float[]> GROUP_SCALES = ThreadLocal.withInitial(() -> new float[GROUP]);

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            ByteVector q = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS, ByteOrder.LITTLE_ENDIAN);
            int out = dstOffset + b * 32;
            ((FloatVector) q.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, out);
            ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, out + 16);
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        FloatVector zero = FloatVector.zero(QuantLanes.FLOATS);
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            FloatVector d = FloatVector.broadcast(QuantLanes.FLOATS, HalfFloats.f16(data, block));
            int in = xOffset + b * 32;
            for (int i = 0; i < 16; i += QuantLanes.BYTES.length()) {
                ByteVector q = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + i, ByteOrder.LITTLE_ENDIAN);
                acc = QuantLanes.fma(q.and((byte) 0xF).sub((byte) 8), d, zero, x, in + i, acc);
                acc = QuantLanes.fma(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), d, zero, x, in + i + 16, acc);
            }
        }
        return FloatSums.sum(acc);
    }

    /**
     * Q4_0 · Q8_0, sixteen blocks at a time. The loop is bound by instruction count, so the
     * sixteen fp16 scales of a group are gathered from four 64-byte loads with byte permutes,
     * widened to floats and multiplied by the activations' scales in vector lanes (instead of
     * one scalar load, conversion and multiply per block); then each block's quants widen to 16
     * shorts, low nibbles minus 8 meet activations 0..15, high nibbles minus 8 meet 16..31, and the
     * 16 pair sums are scaled by the block's d_w·d_x.
     */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        float[] scales = GROUP_SCALES.get();
        FloatVector acc = FloatVector.zero(Int8Lanes.F), acc2 = acc;
        int blocks = Blocks.of(count, TYPE), b = 0;
        for (; b + GROUP <= blocks; b += GROUP) {
            long group = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 32;
            // d of block k sits at byte 18k of the group's 288 bytes
            ByteVector d07 = D_FIRST.selectFrom(ByteVector.fromMemorySegment(Int8Lanes.B, data, group, ByteOrder.LITTLE_ENDIAN),
                    ByteVector.fromMemorySegment(Int8Lanes.B, data, group + 64, ByteOrder.LITTLE_ENDIAN));
            ByteVector d814 = D_SECOND.selectFrom(ByteVector.fromMemorySegment(Int8Lanes.B, data, group + 128, ByteOrder.LITTLE_ENDIAN),
                    ByteVector.fromMemorySegment(Int8Lanes.B, data, group + 192, ByteOrder.LITTLE_ENDIAN));
            ByteVector d15 = ByteVector.fromMemorySegment(Int8Lanes.B, data, group + 224, ByteOrder.LITTLE_ENDIAN).rearrange(D_LAST);
            IntVector halves = (IntVector) d07.blend(d814, SECOND_LANES).blend(d15, LAST_LANES).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            HalfFloats.toFloats(halves).mul(FloatVector.fromArray(Int8Lanes.F, xd, xb >> 5)).intoArray(scales, 0);
            for (int k = 0; k < GROUP; k += 2) { // two accumulators: a chain of fused multiply-adds would wait on each other
                acc = ((FloatVector) ((IntVector) products(data, group + k * TYPE.blockBytes, xq, xb + 32 * k).convertShape(VectorOperators.S2I, Int8Lanes.I, 0))
                        .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scales[k]), acc);
                acc2 = ((FloatVector) ((IntVector) products(data, group + (k + 1) * TYPE.blockBytes, xq, xb + 32 * k + 32).convertShape(VectorOperators.S2I, Int8Lanes.I, 0))
                        .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scales[k + 1]), acc2);
            }
        }
        for (; b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 32;
            acc = ((FloatVector) ((IntVector) products(data, block, xq, xb).convertShape(VectorOperators.S2I, Int8Lanes.I, 0))
                    .convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale(data, block) * xd[xb >> 5]), acc);
        }
        acc = acc.add(acc2);
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0);
    }

    /** Indexes into two concatenated 64-byte vectors starting at group byte {@code base}: lanes 2k, 2k+1 ← d_k for k in [from, to). */
    private static ByteVector dIndexes(int from, int to, int base) {
        byte[] index = new byte[64];
        for (int k = from; k < to; k++) {
            index[2 * k] = (byte) (18 * k - base);
            index[2 * k + 1] = (byte) (18 * k + 1 - base);
        }
        return ByteVector.fromArray(Int8Lanes.B, index, 0);
    }

    private static float scale(MemorySegment data, long block) {
        return Float.float16ToFloat(data.get(HalfFloats.LE_SHORT, block));
    }

    /**
     * The 16 sums (q_i − 8)·x_i + (q_{i+16} − 8)·x_{i+16} of one block, each within a short. With
     * both nibbles' top bits flipped, a nibble read as a signed 4-bit number is q − 8: the high one
     * by an arithmetic shift of the sign-extended byte, the low one by shifting it up and back.
     */
    private static ShortVector products(MemorySegment data, long block, short[] xq, int xb) {
        ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS, ByteOrder.LITTLE_ENDIAN)
                .lanewise(VectorOperators.XOR, (byte) 0x88).convertShape(VectorOperators.B2S, Int8Lanes.S256, 0);
        return q.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 12).mul(ShortVector.fromArray(Int8Lanes.S256, xq, xb))
                .add(q.lanewise(VectorOperators.ASHR, 4).mul(ShortVector.fromArray(Int8Lanes.S256, xq, xb + 16)));
    }
}
