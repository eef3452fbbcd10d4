package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Reads the 16-bit floats of GGUF data: IEEE half precision (F16, and the scales of quant blocks) and bfloat16. */
final class HalfFloats {
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HalfFloats() {}

    /** The IEEE half-precision value stored at {@code offset}. */
    static float f16(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(LE_SHORT, offset));
    }

    /**
     * Sixteen IEEE half-precision values (the low 16 bits of each int lane) as floats, exactly:
     * exponent and mantissa move into a float's fields and one multiply by 2^112 rebiases the
     * exponent (subnormals included); the sign moves to bit 31. Infinities and NaNs, which no
     * block scale holds, come out as large finite values.
     */
    static FloatVector toFloats(IntVector halves) {
        FloatVector magnitude = halves.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return magnitude.reinterpretAsInts().or(halves.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** The bfloat16 value stored at {@code offset}. */
    static float bf16(MemorySegment data, long offset) {
        return bf16ToFloat(data.get(LE_SHORT, offset));
    }

    /** bfloat16 is the upper half of a float32, so widening is exact. */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }
}
