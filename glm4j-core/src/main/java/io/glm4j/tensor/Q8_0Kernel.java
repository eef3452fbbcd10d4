package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Q8_0 blocks of 32 values: fp16 scale d, then 32 signed bytes q; value = d·q. */
final class Q8_0Kernel implements RowKernel, QuantizedDot {
    static final Q8_0Kernel INSTANCE = new Q8_0Kernel();
    private static final GgmlType TYPE = GgmlType.Q8_0;
    private static final int QS = 2;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        if (!Int8Lanes.AVAILABLE) { // the lanes below would be Java code (see Int8Lanes.AVAILABLE)
            dequantizeScalar(data, offset, dst, dstOffset, count);
            return;
        }
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            for (int half = 0; half < 2; half++) {
                ByteVector q = ByteVector.fromMemorySegment(Int8Lanes.B128, data, block + QS + 16 * half, ByteOrder.LITTLE_ENDIAN);
                ((FloatVector) q.convertShape(VectorOperators.B2F, Int8Lanes.F, 0)).mul(d).intoArray(dst, dstOffset + b * 32 + 16 * half);
            }
        }
    }

    /** One value at a time, as the lanes above compute it: q·d. */
    private static void dequantizeScalar(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            for (int j = 0; j < 32; j++) dst[dstOffset + b * 32 + j] = data.get(ValueLayout.JAVA_BYTE, block + QS + j) * d;
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
            for (int i = 0; i < 32; i += QuantLanes.BYTES.length()) {
                ByteVector q = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + i, ByteOrder.LITTLE_ENDIAN);
                acc = QuantLanes.fma(q, d, zero, x, in + i, acc);
            }
        }
        return FloatSums.sum(acc);
    }

    /** Q8_0 · Q8_0: per block, 32 int8 × int8 products summed in ints, scaled by d_w·d_x. */
    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] xq = x.quants();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            ShortVector w = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, data, block + QS, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, Int8Lanes.S, 0);
            int xb = xOffset + b * 32;
            IntVector sums = Int8Lanes.pairSums(w.mul(ShortVector.fromArray(Int8Lanes.S, xq, xb)));
            float scale = HalfFloats.f16(data, block) * xd[xb >> 5];
            acc = ((FloatVector) sums.convertShape(VectorOperators.I2F, Int8Lanes.F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, scale), acc);
        }
        // lanes summed here in FloatSums' order: a vector handed to a call C2 did not inline is boxed
        acc = acc.add(acc.rearrange(FloatSums.XOR8));
        acc = acc.add(acc.rearrange(FloatSums.XOR4));
        acc = acc.add(acc.rearrange(FloatSums.XOR2));
        return acc.add(acc.rearrange(FloatSums.XOR1)).lane(0);
    }

    @Override
    public int tiledFromTokens() {
        return 4;
    }
}
