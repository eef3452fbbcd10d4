package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q3_K super-blocks of 256 values in sixteen groups of 16: 32 bytes hmask, 64 bytes of 2-bit low
 * quants, 12 bytes of 6-bit signed group scales, then fp16 d. Value i (i &lt; 32) of the 32-value
 * run r = 4h + j takes bits 2j..2j+1 of qs[32h + i] and bit r of hmask[i]; a clear hmask bit means
 * "subtract 4". value = d·(scale − 32)·q.
 */
final class Q3KKernel implements RowKernel {
    static final Q3KKernel INSTANCE = new Q3KKernel();
    private static final GgmlType TYPE = GgmlType.Q3_K;
    private static final int QS = 32, SCALES = 96, D = 108;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        float[] scales = KQuantScales.scalesBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            groupScales(data, block, scales);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 4; j++) {
                    int out = dstOffset + b * 256 + h * 128 + j * 32;
                    for (int i = 0; i < 32; i++) {
                        int low = (data.get(ValueLayout.JAVA_BYTE, block + QS + h * 32 + i) >> (2 * j)) & 3;
                        int high = (data.get(ValueLayout.JAVA_BYTE, block + i) >> (4 * h + j)) & 1;
                        dst[out + i] = scales[h * 8 + j * 2 + i / 16] * ((low | high << 2) - 4);
                    }
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
            // a chunk of at most 16 lanes never straddles a group of 16
            for (int i = 0; i < 32; i += QuantLanes.BYTES.length()) {
                ByteVector hmask = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + i, ByteOrder.LITTLE_ENDIAN);
                for (int h = 0; h < 2; h++) {
                    ByteVector qs = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + h * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    for (int j = 0; j < 4; j++) {
                        ByteVector low = qs.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
                        ByteVector high = hmask.lanewise(VectorOperators.LSHR, 4 * h + j).and((byte) 1).lanewise(VectorOperators.LSHL, 2);
                        FloatVector scale = FloatVector.broadcast(QuantLanes.FLOATS, scales[h * 8 + j * 2 + i / 16]);
                        acc = QuantLanes.fma(low.or(high).sub((byte) 4), scale, zero, x, xOffset + b * 256 + h * 128 + j * 32 + i, acc);
                    }
                }
            }
        }
        return FloatSums.sum(acc);
    }

    /**
     * {@code scales[g] = d·(s_g − 32)} for the 6-bit s_g: its low 4 bits are the low (g &lt; 8) or high
     * nibble of byte g mod 8, its top 2 bits are bits 2(g/4)..2(g/4)+1 of byte 8 + g mod 4.
     */
    private static void groupScales(MemorySegment data, long block, float[] scales) {
        float d = HalfFloats.f16(data, block + D);
        for (int g = 0; g < 16; g++) {
            int low = ((data.get(ValueLayout.JAVA_BYTE, block + SCALES + g % 8) & 0xFF) >> (g < 8 ? 0 : 4)) & 0xF;
            int high = (data.get(ValueLayout.JAVA_BYTE, block + SCALES + 8 + g % 4) >> (2 * (g / 4))) & 3;
            scales[g] = d * ((low | high << 4) - 32);
        }
    }
}
