package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half-precision storage. */
final class F16Kernel implements RowKernel {
    static final F16Kernel INSTANCE = new F16Kernel();
    private static final VectorSpecies<Float> F = QuantLanes.FLOATS;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * Short.SIZE));

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = HalfFloats.f16(data, offset + 2L * i);
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int upper = F.loopBound(count); i < upper; i += F.length()) {
            ShortVector h = ShortVector.fromMemorySegment(S, data, offset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            acc = widen(h).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
        }
        float sum = FloatSums.sum(acc);
        for (; i < count; i++) sum += HalfFloats.f16(data, offset + 2L * i) * x[xOffset + i];
        return sum;
    }

    /**
     * Half to float without a conversion instruction in the Vector API: move sign, exponent and
     * mantissa into float position, then rebias the exponent by multiplying with 2^(127-15), which
     * also normalises half subnormals; infinities and NaNs get the all-ones float exponent instead.
     */
    private static FloatVector widen(ShortVector h16) {
        IntVector h = (IntVector) h16.convertShape(VectorOperators.S2I, I, 0);
        IntVector bits = h.and(0x8000).lanewise(VectorOperators.LSHL, 16)
                .or(h.and(0x7fff).lanewise(VectorOperators.LSHL, 13));
        FloatVector finite = ((FloatVector) bits.reinterpretShape(F, 0)).mul(0x1p112f);
        VectorMask<Float> special = h.and(0x7c00).compare(VectorOperators.EQ, 0x7c00).cast(F);
        return finite.blend(((FloatVector) bits.or(0x7f800000).reinterpretShape(F, 0)), special);
    }
}
