package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 blocks of 32 values: fp16 scale d, then 16 bytes of 4-bit quants. Byte i holds value i in
 * its low nibble and value i+16 in its high nibble; value = d·(q − 8).
 */
final class Q4_0Kernel implements RowKernel, QuantizedDot {
    static final Q4_0Kernel INSTANCE = new Q4_0Kernel();
    private static final GgmlType TYPE = GgmlType.Q4_0;
    private static final int QS = 2;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        if (!Int8Lanes.AVAILABLE) { // the lanes below would be Java code (see Int8Lanes.AVAILABLE)
            dequantizeScalar(data, offset, dst, dstOffset, count);
            return;
        }
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            ByteVector q = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS, ByteOrder.LITTLE_ENDIAN);
            int out = dstOffset + b * 32;
            ((FloatVector) q.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, out);
            ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, out + 16);
        }
    }

    /** One value at a time, as the lanes above compute it: (nibble − 8)·d, low nibbles first. */
    private static void dequantizeScalar(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                dst[dstOffset + b * 32 + j] = ((q & 0xF) - 8) * d;
                dst[dstOffset + b * 32 + 16 + j] = ((q >> 4) - 8) * d;
            }
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
     * Q4_0 · Q8_0: the 16 quant bytes widen to 16 shorts; low nibbles minus 8 meet activations
     * 0..15, high nibbles minus 8 meet 16..31, and the sums of 16 pairs are scaled by d_w·d_x. Two
     * blocks per step: the loop is bound by instruction count, scalar index and scale work included.
     */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        int blocks = Blocks.of(count, TYPE), b = 0;
        for (; b + 1 < blocks; b += 2) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 32;
            int scales = data.get(LE_INT, block + TYPE.blockBytes - 2); // the second block's d in the top half
            float scale = scale(data, block) * xd[xb >> 5];
            float scale2 = Float.float16ToFloat((short) (scales >>> 16)) * xd[(xb >> 5) + 1];
            acc = ((FloatVector) ((IntVector) products(data, block, xq, xb).convertShape(VectorOperators.S2I, Int8Lanes.I, 0))
                    .convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale), acc);
            acc = ((FloatVector) ((IntVector) products(data, block + TYPE.blockBytes, xq, xb + 32).convertShape(VectorOperators.S2I, Int8Lanes.I, 0))
                    .convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale2), acc);
        }
        if (b < blocks) {
            long block = offset + (long) b * TYPE.blockBytes;
            int xb = xOffset + b * 32;
            acc = ((FloatVector) ((IntVector) products(data, block, xq, xb).convertShape(VectorOperators.S2I, Int8Lanes.I, 0))
                    .convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale(data, block) * xd[xb >> 5]), acc);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0);
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

    @Override
    public int tiledFromTokens() {
        return 4;
    }
}
