package io.glm4j.gguf;

import io.glm4j.Glm4jException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Reads little-endian values from a mapped file front to back, turning overruns into one clear error. */
final class ByteCursor {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final String fileName;
    private long position;

    ByteCursor(MemorySegment data, String fileName) {
        this.data = data;
        this.fileName = fileName;
    }

    long position() {
        return position;
    }

    long remaining() {
        return data.byteSize() - position;
    }

    private long take(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw new Glm4jException(fileName + " is truncated or corrupt: " + what + " at byte " + position
                    + " needs " + Long.toUnsignedString(bytes) + " bytes but the file has " + remaining() + " left");
        }
        long at = position;
        position += bytes;
        return at;
    }

    byte i8(String what) {
        return data.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short i16(String what) {
        return data.get(I16, take(2, what));
    }

    int i32(String what) {
        return data.get(I32, take(4, what));
    }

    long i64(String what) {
        return data.get(I64, take(8, what));
    }

    float f32(String what) {
        return data.get(F32, take(4, what));
    }

    double f64(String what) {
        return data.get(F64, take(8, what));
    }

    /** A count that must fit in the rest of the file when each item takes at least {@code minItemBytes}. */
    int count(String what, long minItemBytes) {
        long n = i64(what);
        if (n < 0 || n > Integer.MAX_VALUE || n * Math.max(1, minItemBytes) > remaining()) {
            throw new Glm4jException(fileName + " is truncated or corrupt: " + what + " is " + Long.toUnsignedString(n)
                    + " at byte " + (position - 8) + ", more than the file can hold");
        }
        return (int) n;
    }

    String string(String what) {
        long length = i64(what + " length");
        long at = take(length, what);
        byte[] bytes = data.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
