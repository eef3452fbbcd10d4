package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 12 bytes of 6-bit sub-block scales and mins shared by Q4_K and Q5_K. Sub-blocks 0..3 keep
 * scale and min in the low 6 bits of bytes j and j+4; sub-blocks 4..7 keep their low 4 bits in the
 * nibbles of byte j+4 (scale low, min high) and their top 2 bits in the spare top bits of bytes
 * j-4 (scale) and j (min).
 */
final class KQuantScales {
    private KQuantScales() {}

    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[16]);
    private static final ThreadLocal<float[]> MINS = ThreadLocal.withInitial(() -> new float[16]);

    /**
     * This thread's buffer for a K-quant super-block's unpacked scales (16 floats, contents stale): the
     * row kernels run once a row, and a new array a call was hundreds of KB of garbage a decode step.
     */
    static float[] scalesBuffer() {
        return SCALES.get();
    }

    /** This thread's buffer for a super-block's unpacked minima, as {@link #scalesBuffer}. */
    static float[] minsBuffer() {
        return MINS.get();
    }

    /** Fills {@code scales[j] = d·scale_j} and {@code mins[j] = dmin·min_j} for the eight sub-blocks. */
    static void unpack(MemorySegment data, long at, float d, float dmin, float[] scales, float[] mins) {
        for (int j = 0; j < 8; j++) {
            scales[j] = d * scale(data, at, j);
            mins[j] = dmin * min(data, at, j);
        }
    }

    /** The 6-bit scale of sub-block {@code j}. */
    static int scale(MemorySegment data, long at, int j) {
        if (j < 4) return data.get(ValueLayout.JAVA_BYTE, at + j) & 63;
        return (data.get(ValueLayout.JAVA_BYTE, at + j + 4) & 0xF) | ((data.get(ValueLayout.JAVA_BYTE, at + j - 4) & 0xFF) >> 6) << 4;
    }

    /** The 6-bit min of sub-block {@code j}. */
    static int min(MemorySegment data, long at, int j) {
        if (j < 4) return data.get(ValueLayout.JAVA_BYTE, at + j + 4) & 63;
        return (data.get(ValueLayout.JAVA_BYTE, at + j + 4) & 0xFF) >> 4 | ((data.get(ValueLayout.JAVA_BYTE, at + j) & 0xFF) >> 6) << 4;
    }
}
