package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * What a kernel knows about one storage type: turn stored rows into floats, and take the dot
 * product of a stored row with float32 activations. Offsets into {@code data} are in bytes;
 * element counts are whole numbers of the type's blocks.
 */
public interface RowKernel {

    /** Writes {@code count} values stored at {@code offset} into {@code dst[dstOffset...]}. */
    void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count);

    /** Σ w[i]·x[xOffset+i] over {@code count} values of the stored row at {@code offset}. */
    float dot(MemorySegment data, long offset, float[] x, int xOffset, int count);

    /** The kernel for a storage type, or a {@link io.glm4j.Glm4jException} if glm4j cannot compute with it. */
    static RowKernel of(GgmlType type) {
        return RowKernels.of(type);
    }
}
