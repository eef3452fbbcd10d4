package io.glm4j.convert;

import io.glm4j.tensor.GgmlType;
import io.glm4j.tensor.RowKernel;
import io.glm4j.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The rows of one output tensor, read from stored tensors: one tensor, or the routed experts of a
 * layer in expert order (what a GGUF stack holds). Rows are read as the float32 values they stand for
 * (FP8 scales applied), or copied byte for byte when the output keeps their storage type.
 */
record TensorRows(List<Tensor> parts) {
    private static final int COPY_CHUNK = 1 << 20;

    TensorRows {
        parts = List.copyOf(parts);
        long cols = parts.getFirst().ne()[0];
        for (Tensor t : parts) {
            if (t.ne()[0] != cols) throw new IllegalArgumentException(t.name() + " has rows of " + t.ne()[0] + ", not " + cols);
        }
    }

    static TensorRows of(Tensor t) {
        return new TensorRows(List.of(t));
    }

    int cols() {
        return parts.getFirst().cols();
    }

    long rows() {
        return parts.stream().mapToLong(t -> t.elementCount() / t.cols()).sum();
    }

    /** Whether every part is stored as {@code type}, unscaled, so its bytes are the output's. */
    boolean storedAs(GgmlType type) {
        return parts.stream().allMatch(t -> t.type() == type && t.scales() == null);
    }

    /** Reads {@code count} rows from row {@code first} on into {@code dst} from {@code dstOffset}, back to back. */
    void read(long first, int count, float[] dst, int dstOffset) {
        int cols = cols();
        long skip = first;
        int done = 0;
        for (Tensor t : parts) {
            long rows = t.elementCount() / cols;
            if (skip >= rows) {
                skip -= rows;
                continue;
            }
            int n = (int) Math.min(count - done, rows - skip);
            RowKernel kernel = t.kernel();
            for (int r = 0; r < n; r++) kernel.dequantize(t.data(), (skip + r) * t.rowBytes(), dst, dstOffset + (done + r) * cols, cols);
            done += n;
            skip = 0;
            if (done == count) return;
        }
        if (done < count) throw new IndexOutOfBoundsException("rows " + first + "+" + count + " of " + rows());
    }

    /** Writes the stored bytes of every part, in order. */
    void copyTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[COPY_CHUNK];
        for (Tensor t : parts) {
            MemorySegment data = t.data();
            for (long at = 0; at < data.byteSize(); at += COPY_CHUNK) {
                int n = (int) Math.min(COPY_CHUNK, data.byteSize() - at);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, at, buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
    }
}
