package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float8 e4m3fn storage (1 sign, 4 exponent bits with bias 7, 3 mantissa bits; no infinities,
 * {@code 0x7F}/{@code 0xFF} are NaN), the raw values of an FP8 checkpoint before its
 * {@link WeightScales scales} are applied. Placing the 7 low bits at float bit 20 gives a float32 whose
 * exponent is 120 too small, also for the subnormals, so one multiplication by 2^120 decodes exactly.
 */
final class F8E4M3Kernel implements RowKernel {
    static final F8E4M3Kernel INSTANCE = new F8E4M3Kernel();
    private static final VectorSpecies<Float> F = QuantLanes.FLOATS;
    private static final VectorSpecies<Byte> B = QuantLanes.BYTES;
    private static final VectorSpecies<Integer> I = F.vectorShape().withLanes(int.class);
    private static final float TWO_TO_120 = 0x1p120f;
    private static final float[] VALUES = new float[256];

    static {
        for (int b = 0; b < 256; b++) VALUES[b] = decode((byte) b);
    }

    /** The value of one e4m3fn byte. */
    static float decode(byte b) {
        if ((b & 0x7F) == 0x7F) return Float.NaN;
        float magnitude = Float.intBitsToFloat((b & 0x7F) << 20) * TWO_TO_120;
        return b < 0 ? -magnitude : magnitude;
    }

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = VALUES[data.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF];
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        FloatVector acc = FloatVector.zero(F);
        int step = F.length();
        int i = 0;
        for (int upper = count - B.length() + 1; i < upper; i += step) {
            // a full byte vector is read, but only its first F.length() lanes are decoded
            IntVector bits = (IntVector) ByteVector.fromMemorySegment(B, data, offset + i, java.nio.ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, I, 0);
            IntVector magnitude = bits.and(0x7F);
            VectorMask<Integer> nan = magnitude.compare(VectorOperators.EQ, 0x7F);
            FloatVector w = ((FloatVector) magnitude.lanewise(VectorOperators.LSHL, 20).reinterpretShape(F, 0)).mul(TWO_TO_120)
                    .lanewise(VectorOperators.NEG, bits.compare(VectorOperators.LT, 0).cast(F))
                    .blend(Float.NaN, nan.cast(F));
            acc = w.fma(FloatVector.fromArray(F, x, xOffset + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < count; i++) sum += VALUES[data.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF] * x[xOffset + i];
        return sum;
    }
}
