package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Weights repacked into groups of interleaved rows ({@link RowGroupKernel}: 16, 8 with AVX2), for the types that
 * have such a kernel. Every product of a repacked matrix reads its groups, large batches through
 * tiles decoded from them ({@link RowGroupKernel.Tiling}): its stored rows are never read again.
 */
public final class RowGroups {
    /** The version of every type's group layout, kept in cache files: change it when any layout changes. */
    public static final int LAYOUT_VERSION = 6;

    /** Rows per group on this machine, kept in cache files beside {@link #LAYOUT_VERSION}. */
    public static final int ROWS = RowGroupKernel.ROWS;

    private RowGroups() {}

    /** Whether the int8 kernels run here only on repacked matrices (AVX2 without AVX-512): the stored rows then take float kernels, several times slower. */
    public static boolean int8OnlyWhenRepacked() {
        return GroupLanes.AVAILABLE && !Int8Lanes.AVAILABLE;
    }

    /** Whether {@code t} can be repacked: its type has a group kernel, which runs here, and its matrices have whole groups of rows. */
    public static boolean supports(Tensor t) {
        return kernel(t.type()) != null && t.scales() == null && t.ne().length >= 2 && t.ne().length <= 3
                && t.rows() % RowGroupKernel.ROWS == 0 && GroupLanes.AVAILABLE;
    }

    /** Bytes of {@code t} repacked, all its matrices back to back. */
    public static long bytes(Tensor t) {
        return groupCount(t) * groupBytes(t);
    }

    /** Groups of rows in {@code t}, all its matrices counted. */
    public static long groupCount(Tensor t) {
        return matrices(t) * (t.rows() / RowGroupKernel.ROWS);
    }

    /** Bytes of one group of {@code t}. */
    public static long groupBytes(Tensor t) {
        return kernel(t.type()).groupBytes(t.cols());
    }

    /** Writes groups {@code first ..< first + count} of {@code t}, repacked, to {@code dst} from offset 0. */
    public static void pack(Tensor t, long first, long count, MemorySegment dst) {
        RowGroupKernel kernel = kernel(t.type());
        long groupBytes = groupBytes(t);
        long rowBytes = t.rowBytes();
        for (long g = 0; g < count; g++) {
            long firstRow = (first + g) * RowGroupKernel.ROWS; // rows of all matrices back to back
            kernel.pack(t.data(), firstRow * rowBytes, rowBytes, dst, g * groupBytes, t.cols());
        }
    }

    static long matrixBytes(Tensor t) {
        return groupBytes(t) * (t.rows() / RowGroupKernel.ROWS);
    }

    static RowGroupKernel kernel(GgmlType type) {
        return switch (type) {
            case Q4_0 -> Q4_0RowGroups.INSTANCE;
            case Q4_K -> Q4KRowGroups.INSTANCE;
            case Q6_K -> Q6KRowGroups.INSTANCE;
            case Q5_0 -> Q5_0RowGroups.INSTANCE;
            case Q8_0 -> Q8_0RowGroups.INSTANCE;
            default -> null;
        };
    }

    private static long matrices(Tensor t) {
        return t.ne().length == 3 ? t.ne()[2] : 1;
    }
}
