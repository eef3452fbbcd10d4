package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16 storage: the upper 16 bits of a float32. */
final class BF16Kernel implements RowKernel {
    static final BF16Kernel INSTANCE = new BF16Kernel();
    private static final VectorSpecies<Float> F = QuantLanes.FLOATS;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * Short.SIZE));

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = HalfFloats.bf16(data, offset + 2L * i);
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(count); i < upper; i += F.length()) {
            ShortVector h = ShortVector.fromMemorySegment(S, data, offset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            FloatVector w = (FloatVector) ((IntVector) h.convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretShape(F, 0);
            acc = w.fma(FloatVector.fromArray(F, x, xOffset + i), acc);
        }
        float sum = FloatSums.sum(acc);
        for (; i < count; i++) sum += HalfFloats.bf16(data, offset + 2L * i) * x[xOffset + i];
        return sum;
    }
}
