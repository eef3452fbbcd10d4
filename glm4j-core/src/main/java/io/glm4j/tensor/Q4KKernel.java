package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K super-blocks of 256 values in eight sub-blocks of 32: fp16 d, fp16 dmin, the 12 bytes of
 * {@link KQuantScales}, then 128 bytes of 4-bit quants. Each run of 32 bytes holds two sub-blocks,
 * the first in the low nibbles, the second in the high ones; value = d·scale_j·q − dmin·min_j.
 */
final class Q4KKernel implements RowKernel {
    static final Q4KKernel INSTANCE = new Q4KKernel();
    private static final GgmlType TYPE = GgmlType.Q4_K;
    private static final int DMIN = 2, SCALES = 4, QS = 16;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        float[] scales = new float[8], mins = new float[8];
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            KQuantScales.unpack(data, block + SCALES, HalfFloats.f16(data, block), HalfFloats.f16(data, block + DMIN), scales, mins);
            for (int c = 0; c < 4; c++) {
                int out = dstOffset + b * 256 + c * 64;
                for (int i = 0; i < 32; i++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, block + QS + c * 32 + i);
                    dst[out + i] = scales[2 * c] * (q & 0xF) - mins[2 * c];
                    dst[out + 32 + i] = scales[2 * c + 1] * ((q >> 4) & 0xF) - mins[2 * c + 1];
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
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
