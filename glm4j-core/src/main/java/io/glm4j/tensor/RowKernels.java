package io.glm4j.tensor;

import io.glm4j.Glm4jException;

/** Maps each storage type to its kernel. */
final class RowKernels {
    private RowKernels() {}

    static RowKernel of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Kernel.INSTANCE;
            default -> throw new Glm4jException("tensor type " + type + " is not supported for computation");
        };
    }
}
