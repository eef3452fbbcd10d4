package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Weights repacked into groups of 16 interleaved rows ({@link RowGroupKernel}), for the types that
 * have such a kernel. A tensor keeps its stored rows as well: batches of many tokens dequantize
 * tiles from those, and only single tokens and small batches read the groups.
 */
public final class RowGroups {
    private RowGroups() {}

    /** Whether {@code t} can be repacked: its type has a group kernel, which runs here, and its matrices have whole groups of rows. */
    public static boolean supports(Tensor t) {
        return kernel(t.type()) != null && t.scales() == null && t.ne().length >= 2 && t.ne().length <= 3
                && t.rows() % RowGroupKernel.ROWS == 0 && Int8Lanes.AVAILABLE;
    }

    /** Bytes of {@code t} repacked, all its matrices back to back. */
    public static long bytes(Tensor t) {
        return matrices(t) * matrixBytes(t);
    }

    /** Writes {@code t} repacked into {@code dst} ({@link #bytes} long). */
    public static void pack(Tensor t, MemorySegment dst) {
        RowGroupKernel kernel = kernel(t.type());
        long groupBytes = kernel.groupBytes(t.cols());
        long rowBytes = t.rowBytes();
        for (long m = 0, g = 0; m < matrices(t); m++) {
            for (int row = 0; row < t.rows(); row += RowGroupKernel.ROWS, g++) {
                kernel.pack(t.data(), (m * t.rows() + row) * rowBytes, rowBytes, dst, g * groupBytes, t.cols());
            }
        }
    }

    static long matrixBytes(Tensor t) {
        return kernel(t.type()).groupBytes(t.cols()) * (t.rows() / RowGroupKernel.ROWS);
    }

    static RowGroupKernel kernel(GgmlType type) {
        return switch (type) {
            case Q4_0 -> Q4_0RowGroups.INSTANCE;
            default -> null;
        };
    }

    private static long matrices(Tensor t) {
        return t.ne().length == 3 ? t.ne()[2] : 1;
    }
}
