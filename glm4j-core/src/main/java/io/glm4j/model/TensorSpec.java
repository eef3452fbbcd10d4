package io.glm4j.model;

import io.glm4j.tensor.GgmlType;
import java.util.Arrays;

/**
 * One entry of a model's tensor directory before there is data: name, storage type and shape
 * ({@code ne}, fastest dimension first, as GGUF lists it).
 */
public record TensorSpec(String name, GgmlType type, long[] ne) {

    public TensorSpec {
        ne = ne.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** Values per row (ne[0]). */
    public long cols() {
        return ne[0];
    }

    /** Rows over all the matrices of the tensor (every dimension but the first). */
    public long rows() {
        return elementCount() / ne[0];
    }

    public long bytes() {
        return type.bytesFor(elementCount());
    }

    public TensorSpec withType(GgmlType newType) {
        return new TensorSpec(name, newType, ne);
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.type == type && Arrays.equals(t.ne, ne);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(ne);
    }
}
