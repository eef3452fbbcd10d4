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
     * Q4_0 · Q8_0: the 16 quant bytes widen to 16 shorts; low nibbles meet activations 0..15, high
     * nibbles 16..31, and the sums of 16 pairs are scaled by d_w·d_x. The −8 offset comes off
     * once per block through the activations' quant sum.
     */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        int[] xs = x.sums16();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        float offsets = 0;
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, Int8Lanes.S256, 0);
            int xb = xOffset + b * 32;
            ShortVector products = q.and((short) 0xF).mul(ShortVector.fromArray(Int8Lanes.S256, xq, xb))
                    .add(q.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(Int8Lanes.S256, xq, xb + 16)));
            float scale = HalfFloats.f16(data, block) * xd[xb >> 5];
            IntVector sums = (IntVector) products.convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale), acc);
            offsets += scale * (xs[xb >> 4] + xs[(xb >> 4) + 1]);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0) - 8 * offsets;
    }
}
