package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named view of stored tensor data, usually a slice of a memory-mapped model file.
 * {@code ne} lists dimensions fastest-first as ggml does: a matrix of {@code rows} rows of
 * {@code cols} values has {@code ne = [cols, rows]}, and a stack of expert matrices adds an
 * outer {@code ne[2]}. A weight from an FP8 checkpoint also carries its {@link WeightScales};
 * {@link #kernel()} applies them, so code that multiplies through it never sees the difference.
 *
 * @param scales null, except for values stored scaled (FP8)
 * @param groups null, or the same values repacked into {@link RowGroups} (mapped from a cache file),
 *               which single-token products read instead of {@code data}
 */
public record Tensor(String name, GgmlType type, long[] ne, MemorySegment data, WeightScales scales, MemorySegment groups) {

    public Tensor(String name, GgmlType type, long[] ne, MemorySegment data) {
        this(name, type, ne, data, null, null);
    }

    public Tensor(String name, GgmlType type, long[] ne, MemorySegment data, WeightScales scales) {
        this(name, type, ne, data, scales, null);
    }

    /** This tensor with its values also repacked at {@code groups} ({@link RowGroups#bytes} long). */
    public Tensor withGroups(MemorySegment groups) {
        if (!RowGroups.supports(this) || groups.byteSize() != RowGroups.bytes(this)) {
            throw new IllegalArgumentException(name + ": " + groups.byteSize() + " bytes are not its row groups");
        }
        return new Tensor(name, type, ne, data, scales, groups);
    }

    public long elementCount() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** Values per row (ne[0]). */
    public int cols() {
        return Math.toIntExact(ne[0]);
    }

    /** Rows of one matrix (ne[1]), 1 for a vector. */
    public int rows() {
        return ne.length > 1 ? Math.toIntExact(ne[1]) : 1;
    }

    /** Bytes of one stored row. */
    public long rowBytes() {
        return type.bytesFor(ne[0]);
    }

    /** The kernel that reads this tensor's rows as the values they stand for (scales applied). */
    public RowKernel kernel() {
        return scales == null ? RowKernel.of(type) : new ScaledKernel(type, scales, cols());
    }

    /** Matrix {@code index} of a stacked 3-D tensor (e.g. one expert of {@code ffn_up_exps}). */
    public Tensor slice(int index) {
        long[] sub = Arrays.copyOf(ne, 2);
        long bytes = rowBytes() * sub[1];
        Tensor matrix = new Tensor(name + "[" + index + "]", type, sub, data.asSlice(bytes * index, bytes),
                scales == null ? null : scales.slice(index));
        if (groups == null) return matrix;
        long groupBytes = RowGroups.matrixBytes(matrix);
        return matrix.withGroups(groups.asSlice(groupBytes * index, groupBytes));
    }

    /**
     * The first {@code rows} rows of the (first) matrix, as a matrix of their own: the same bytes,
     * scales and, where present, row groups ({@code rows} then a whole number of groups).
     */
    public Tensor firstRows(int rows) {
        Tensor matrix = ne.length > 2 ? slice(0) : this;
        if (rows < 1 || rows > matrix.rows()) throw new IllegalArgumentException(name + " has " + matrix.rows() + " rows, not " + rows);
        Tensor head = new Tensor(name, type, new long[] {ne[0], rows}, data.asSlice(0, rowBytes() * rows), matrix.scales);
        return matrix.groups == null ? head : head.withGroups(matrix.groups.asSlice(0, RowGroups.bytes(head)));
    }

    /** Dequantizes the whole tensor into a new array; only for small tensors (norms, biases). */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(elementCount())];
        kernel().dequantize(data, 0, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type + (scales == null ? "" : " (scaled)") + (groups == null ? "" : " (row groups)") + " " + Arrays.toString(ne);
    }
}
