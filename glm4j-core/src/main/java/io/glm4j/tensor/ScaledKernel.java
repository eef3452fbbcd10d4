package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The kernel of a tensor with {@link WeightScales}: the stored type's kernel over each run of values
 * that shares a scale, times that scale. Offsets locate the row and column, so the kernel is bound
 * to one tensor's row width; the stored type must have one value per block (FP8, BF16, ...).
 */
final class ScaledKernel implements RowKernel {
    private final RowKernel stored;
    private final WeightScales scales;
    private final int cols;
    private final int valueBytes;

    ScaledKernel(GgmlType storedType, WeightScales scales, int cols) {
        if (storedType.blockSize != 1) throw new IllegalArgumentException("scaled " + storedType + " is not supported");
        this.stored = RowKernel.of(storedType);
        this.scales = scales;
        this.cols = cols;
        this.valueBytes = storedType.blockBytes;
    }

    @Override
    public void dequantize(MemorySegment data, long offset, float[] dst, int dstOffset, int count) {
        long element = offset / valueBytes;
        for (int done = 0; done < count; ) {
            int col = (int) (element % cols);
            int n = run(col, count - done);
            stored.dequantize(data, element * valueBytes, dst, dstOffset + done, n);
            float scale = scales.at(element / cols, col);
            for (int i = dstOffset + done; i < dstOffset + done + n; i++) dst[i] *= scale;
            element += n;
            done += n;
        }
    }

    @Override
    public float dot(MemorySegment data, long offset, float[] x, int xOffset, int count) {
        long element = offset / valueBytes;
        float sum = 0;
        for (int done = 0; done < count; ) {
            int col = (int) (element % cols);
            int n = run(col, count - done);
            sum += scales.at(element / cols, col) * stored.dot(data, element * valueBytes, x, xOffset + done, n);
            element += n;
            done += n;
        }
        return sum;
    }

    /** How many of {@code left} values from column {@code col} on share its scale (and its row). */
    private int run(int col, int left) {
        int blockEnd = Math.min(cols, (col / scales.blockCols() + 1) * scales.blockCols());
        return Math.min(left, blockEnd - col);
    }
}
