package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Reads the 16-bit floats of GGUF data: IEEE half precision (F16, and the scales of quant blocks) and bfloat16. */
final class HalfFloats {
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HalfFloats() {}

    /** The IEEE half-precision value stored at {@code offset}. */
    static float f16(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(LE_SHORT, offset));
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
