package io.glm4j.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of K or V values (one row per position, all KV heads side by side) in one element type.
 * Attention reads them one head-slice at a time, decoded to float32.
 *
 * <p>The rows live off the Java heap, in native memory released once the store is unreachable: a
 * GLM-4.5-Air sequence of 4096 positions holds 771 MB of float16 keys and values, so on the heap
 * four of them would outgrow an {@code -Xmx2g} that otherwise serves the model whatever its size.
 */
sealed interface RowStore {
    VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    void put(int row, float[] src, int srcOff);

    /** {@code dst[dstOff + d·stride] = row[from+d]} as float32, for {@code d < n}. */
    void read(int row, int from, float[] dst, int dstOff, int n, int stride);

    /** Zeroed native memory for {@code count} elements of {@code layout}. */
    private static MemorySegment allocate(long count, ValueLayout layout) {
        return Arena.ofAuto().allocate(layout, count);
    }

    final class Floats implements RowStore {
        private final MemorySegment data;
        private final int width;

        Floats(int rows, int width) {
            this.data = allocate((long) rows * width, ValueLayout.JAVA_FLOAT);
            this.width = width;
        }

        // element loops rather than MemorySegment.copy, which wraps the array in a new segment each call
        public void put(int row, float[] src, int srcOff) {
            long base = (long) row * width;
            for (int d = 0; d < width; d++) data.setAtIndex(ValueLayout.JAVA_FLOAT, base + d, src[srcOff + d]);
        }

        public void read(int row, int from, float[] dst, int dstOff, int n, int stride) {
            long base = (long) row * width + from;
            int d = 0;
            if (stride == 1) { // a value row, read whole: a vector at a time
                for (; d + F.length() <= n; d += F.length()) {
                    FloatVector.fromMemorySegment(F, data, 4 * (base + d), ByteOrder.nativeOrder()).intoArray(dst, dstOff + d);
                }
            }
            for (; d < n; d++) dst[dstOff + d * stride] = data.getAtIndex(ValueLayout.JAVA_FLOAT, base + d);
        }
    }

    final class Halves implements RowStore {
        private final MemorySegment data;
        private final int width;

        Halves(int rows, int width) {
            this.data = allocate((long) rows * width, ValueLayout.JAVA_SHORT);
            this.width = width;
        }

        public void put(int row, float[] src, int srcOff) {
            long base = (long) row * width;
            for (int d = 0; d < width; d++) data.setAtIndex(ValueLayout.JAVA_SHORT, base + d, Float.floatToFloat16(src[srcOff + d]));
        }

        public void read(int row, int from, float[] dst, int dstOff, int n, int stride) {
            long base = (long) row * width + from;
            for (int d = 0; d < n; d++) dst[dstOff + d * stride] = Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT, base + d));
        }
    }

    /** llama.cpp's Q8_0 layout in spirit: blocks of 32 int8 values sharing one scale {@code amax / 127}. */
    final class Q8 implements RowStore {
        static final int BLOCK = 32;
        private final MemorySegment quants;
        private final MemorySegment scales;
        private final int width;

        Q8(int rows, int width) {
            this.quants = allocate((long) rows * width, ValueLayout.JAVA_BYTE);
            this.scales = allocate((long) rows * width / BLOCK, ValueLayout.JAVA_FLOAT);
            this.width = width;
        }

        public void put(int row, float[] src, int srcOff) {
            long base = (long) row * width;
            for (int b = 0; b < width / BLOCK; b++) {
                float amax = 0;
                for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(src[srcOff + b * BLOCK + i]));
                // The scale is rounded to float16 as the GGUF block stores it.
                float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
                float inverse = d == 0 ? 0 : 1 / d;
                scales.setAtIndex(ValueLayout.JAVA_FLOAT, base / BLOCK + b, d);
                for (int i = 0; i < BLOCK; i++) {
                    quants.set(ValueLayout.JAVA_BYTE, base + b * BLOCK + i, (byte) Math.round(src[srcOff + b * BLOCK + i] * inverse));
                }
            }
        }

        public void read(int row, int from, float[] dst, int dstOff, int n, int stride) {
            long base = (long) row * width + from;
            for (int b = 0; b < n; b += BLOCK) {
                float scale = scales.getAtIndex(ValueLayout.JAVA_FLOAT, (base + b) / BLOCK);
                for (int i = 0; i < BLOCK; i++) dst[dstOff + (b + i) * stride] = scale * quants.get(ValueLayout.JAVA_BYTE, base + b + i);
            }
        }
    }
}
