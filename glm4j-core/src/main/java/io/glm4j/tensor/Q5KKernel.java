package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_K super-blocks of 256 values in eight sub-blocks of 32: fp16 d, fp16 dmin, the 12 bytes of
 * {@link KQuantScales}, 32 bytes qh, then 128 bytes of low 4 bits laid out as in Q4_K. Bit j of
 * qh[i] is the fifth bit of value i of sub-block j; value = d·scale_j·q − dmin·min_j.
 */
final class Q5KKernel implements RowKernel {
    static final Q5KKernel INSTANCE = new Q5KKernel();
    private static final GgmlType TYPE = GgmlType.Q5_K;
    private static final int DMIN = 2, SCALES = 4, QH = 16, QS = 48;

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        float[] scales = KQuantScales.scalesBuffer(), mins = KQuantScales.minsBuffer();
        for (int b = 0, blocks = Blocks.of(count, TYPE); b < blocks; b++) {
            long block = offset + (long) b * TYPE.blockBytes;
            KQuantScales.unpack(data, block + SCALES, HalfFloats.f16(data, block), HalfFloats.f16(data, block + DMIN), scales, mins);
            for (int c = 0; c < 4; c++) {
                int out = dstOffset + b * 256 + c * 64;
                for (int i = 0; i < 32; i++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, block + QS + c * 32 + i);
                    int qh = data.get(ValueLayout.JAVA_BYTE, block + QH + i);
                    int lo = (q & 0xF) | ((qh >> (2 * c)) & 1) << 4;
                    int hi = ((q >> 4) & 0xF) | ((qh >> (2 * c + 1)) & 1) << 4;
                    dst[out + i] = scales[2 * c] * lo - mins[2 * c];
                    dst[out + 32 + i] = scales[2 * c + 1] * hi - mins[2 * c + 1];
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
            KQuantScales.unpack(data, block + SCALES, HalfFloats.f16(data, block), HalfFloats.f16(data, block + DMIN), scales, mins);
            for (int c = 0; c < 4; c++) {
                FloatVector loScale = FloatVector.broadcast(QuantLanes.FLOATS, scales[2 * c]);
                FloatVector loBias = FloatVector.broadcast(QuantLanes.FLOATS, -mins[2 * c]);
                FloatVector hiScale = FloatVector.broadcast(QuantLanes.FLOATS, scales[2 * c + 1]);
                FloatVector hiBias = FloatVector.broadcast(QuantLanes.FLOATS, -mins[2 * c + 1]);
                int in = xOffset + b * 256 + c * 64;
                for (int i = 0; i < 32; i += QuantLanes.BYTES.length()) {
                    ByteVector q = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QS + c * 32 + i, ByteOrder.LITTLE_ENDIAN);
                    ByteVector qh = ByteVector.fromMemorySegment(QuantLanes.BYTES, data, block + QH + i, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0xF).or(fifthBit(qh, 2 * c));
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).or(fifthBit(qh, 2 * c + 1));
                    acc = QuantLanes.fma(lo, loScale, loBias, x, in + i, acc);
                    acc = QuantLanes.fma(hi, hiScale, hiBias, x, in + 32 + i, acc);
                }
            }
        }
        return FloatSums.sum(acc);
    }

    /** Bit {@code subBlock} of each qh lane, moved to bit 4. */
    private static ByteVector fifthBit(ByteVector qh, int subBlock) {
        return qh.lanewise(VectorOperators.LSHR, subBlock).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
    }
}
