package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named view of stored tensor data, usually a slice of a memory-mapped model file.
 * {@code ne} lists dimensions fastest-first as ggml does: a matrix of {@code rows} rows of
 * {@code cols} values has {@code ne = [cols, rows]}, and a stack of expert matrices adds an
 * outer {@code ne[2]}.
 */
public record Tensor(String name, GgmlType type, long[] ne, MemorySegment data) {

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

    /** Matrix {@code index} of a stacked 3-D tensor (e.g. one expert of {@code ffn_up_exps}). */
    public Tensor slice(int index) {
        long[] sub = Arrays.copyOf(ne, 2);
        long bytes = rowBytes() * sub[1];
        return new Tensor(name + "[" + index + "]", type, sub, data.asSlice(bytes * index, bytes));
    }

    /** Dequantizes the whole tensor into a new array; only for small tensors (norms, biases). */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(elementCount())];
        RowKernel.of(type).dequantize(data, 0, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(ne);
    }
}
