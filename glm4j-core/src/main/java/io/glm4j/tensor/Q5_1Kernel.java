package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_1 blocks of 32 values: fp16 scale d, fp16 offset m, then fifth bits and low 4 bits laid out as
 * in Q5_0; value = d·q + m.
 */
final class Q5_1Kernel implements RowKernel, QuantizedDot {
    static final Q5_1Kernel INSTANCE = new Q5_1Kernel();
    private static final GgmlType TYPE = GgmlType.Q5_1;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int M = 2, QH = 4, QS = 8;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            float d = HalfFloats.f16(data, block);
            float m = HalfFloats.f16(data, block + M);
            int qh = data.get(LE_INT, block + QH);
            int out = dstOffset + b * 32;
            for (int i = 0; i < 16; i++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + QS + i);
                dst[out + i] = d * ((q & 0xF) | ((qh >>> i) & 1) << 4) + m;
                dst[out + i + 16] = d * (((q >> 4) & 0xF) | ((qh >>> (i + 16)) & 1) << 4) + m;
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            FloatVector d = FloatVector.broadcast(QuantLanes.FLOATS, HalfFloats.f16(data, block));
            FloatVector m = FloatVector.broadcast(QuantLanes.FLOATS, HalfFloats.f16(data, block + M));
            ByteVector qh = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QH, ByteOrder.LITTLE_ENDIAN);
            int in = xOffset + b * 32;
            for (int i = 0; i < 16; i += QuantLanes.BYTES.length()) {
                ByteVector q = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + i, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0xF).or(QuantLanes.bits(qh, i).lanewise(VectorOperators.LSHL, 4));
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).or(QuantLanes.bits(qh, i + 16).lanewise(VectorOperators.LSHL, 4));
                acc = QuantLanes.fma(lo, d, m, x, in + i, acc);
                acc = QuantLanes.fma(hi, d, m, x, in + i + 16, acc);
            }
        }
        return FloatSums.sum(acc);
    }

    /** llama.cpp's Q5_1 · Q8_1: d_w·d_x·Σ q_w·q_x per block, plus m_w·s_x for the offsets. */
    @Override
    public boolean needsWideVectors() {
        return false;
    }

    @Override
    public boolean usesOffsetSums() {
        return true;
    }

    @Override
    public float dot(MemorySegment data, long offset, QuantizedActivations x, int xOffset, int count) {
        short[] q = x.quants();
        float sum = 0;
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            int qh = data.get(LE_INT, block + QH);
            int xb = xOffset + b * 32;
            int isum = 0;
            for (int i = 0; i < 16; i++) {
                int w = data.get(ValueLayout.JAVA_BYTE, block + QS + i);
                isum += ((w & 0xF) | ((qh >>> i) & 1) << 4) * q[xb + i] + (((w >> 4) & 0xF) | ((qh >>> (i + 16)) & 1) << 4) * q[xb + i + 16];
            }
            sum += HalfFloats.f16(data, block) * x.scales()[xb / 32] * isum + HalfFloats.f16(data, block + M) * x.offsetSums()[xb / 32];
        }
        return sum;
    }
}
