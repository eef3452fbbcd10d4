package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K super-blocks of 256 values in sixteen groups of 16: 16 bytes of group scales (4-bit scale
 * low, 4-bit min high), 64 bytes of 2-bit quants, then fp16 d and fp16 dmin. Value i (i &lt; 32) of
 * the 32-value run 4h + j takes bits 2j..2j+1 of qs[32h + i]; value = d·scale·q − dmin·min.
 */
final class Q2KKernel implements RowKernel {
    static final Q2KKernel INSTANCE = new Q2KKernel();
    private static final GgmlType TYPE = GgmlType.Q2_K;
    private static final int QS = 16, D = 80, DMIN = 82;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        float[] scales = KQuantScales.scalesBuffer(), mins = KQuantScales.minsBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            groupScales(data, block, scales, mins);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 4; j++) {
                    int out = dstOffset + b * 256 + h * 128 + j * 32;
                    for (int i = 0; i < 32; i++) {
                        int q = (data.get(ValueLayout.JAVA_BYTE, block + QS + h * 32 + i) >> (2 * j)) & 3;
                        int g = h * 8 + j * 2 + i / 16;
                        dst[out + i] = scales[g] * q - mins[g];
                    }
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
            groupScales(data, block, scales, mins);
            for (int h = 0; h < 2; h++) {
                // a chunk of at most 16 lanes never straddles a group of 16
                for (int i = 0; i < 32; i += QuantLanes.BYTES.length()) {
                    ByteVector qs = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + h * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    for (int j = 0; j < 4; j++) {
                        int g = h * 8 + j * 2 + i / 16;
                        FloatVector scale = FloatVector.broadcast(QuantLanes.FLOATS, scales[g]);
                        FloatVector bias = FloatVector.broadcast(QuantLanes.FLOATS, -mins[g]);
                        ByteVector q = qs.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
                        acc = QuantLanes.fma(q, scale, bias, x, xOffset + b * 256 + h * 128 + j * 32 + i, acc);
                    }
                }
            }
        }
        return FloatSums.sum(acc);
    }

    /** {@code scales[g] = d·(low nibble)} and {@code mins[g] = dmin·(high nibble)} of scale byte g. */
    private static void groupScales(MemorySegment data, long block, float[] scales, float[] mins) {
        float d = HalfFloats.f16(data, block + D);
        float dmin = HalfFloats.f16(data, block + DMIN);
        for (int g = 0; g < 16; g++) {
            int packed = data.get(ValueLayout.JAVA_BYTE, block + g) & 0xFF;
            scales[g] = d * (packed & 0xF);
            mins[g] = dmin * (packed >> 4);
        }
    }
}
