package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K super-blocks of 256 values in sixteen groups of 16: 128 bytes ql (low 4 bits), 64 bytes qh
 * (top 2 bits), 16 signed 8-bit group scales, then fp16 d; value = d·scale·(q − 32). Each half of
 * 128 values uses 64 ql and 32 qh bytes: value i (i &lt; 32) of its quarter k takes the low (k = 0, 1)
 * or high (k = 2, 3) nibble of ql[i + 32·(k mod 2)] and bits 2k..2k+1 of qh[i].
 */
final class Q6KKernel implements RowKernel {
    static final Q6KKernel INSTANCE = new Q6KKernel();
    private static final GgmlType TYPE = GgmlType.Q6_K;
    private static final int QH = 128, SCALES = 192, D = 208;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        float[] scales = new float[16];
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            groupScales(data, block, scales);
            for (int h = 0; h < 2; h++) {
                int out = dstOffset + b * 256 + h * 128;
                for (int i = 0; i < 32; i++) {
                    int ql0 = data.get(ValueLayout.JAVA_BYTE, block + h * 64 + i);
                    int ql1 = data.get(ValueLayout.JAVA_BYTE, block + h * 64 + 32 + i);
                    int qh = data.get(ValueLayout.JAVA_BYTE, block + QH + h * 32 + i);
                    int g = h * 8 + i / 16;
                    dst[out + i] = scales[g] * (((ql0 & 0xF) | (qh & 3) << 4) - 32);
                    dst[out + 32 + i] = scales[g + 2] * (((ql1 & 0xF) | ((qh >> 2) & 3) << 4) - 32);
                    dst[out + 64 + i] = scales[g + 4] * ((((ql0 >> 4) & 0xF) | ((qh >> 4) & 3) << 4) - 32);
                    dst[out + 96 + i] = scales[g + 6] * ((((ql1 >> 4) & 0xF) | ((qh >> 6) & 3) << 4) - 32);
                }
            }
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(QuantLanes.FLOATS);
        FloatVector zero = FloatVector.zero(QuantLanes.FLOATS);
        float[] scales = new float[16];
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
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** {@code scales[g] = d·scale_g}, rounded before it meets q, as the reference does. */
    private static void groupScales(MemorySegment data, long block, float[] scales) {
        float d = HalfFloats.f16(data, block + D);
        for (int g = 0; g < 16; g++) scales[g] = d * data.get(ValueLayout.JAVA_BYTE, block + SCALES + g);
    }
}
