package io.glm4j.tensor;

import io.glm4j.Glm4jException;

/** Maps each storage type to its kernel. */
final class RowKernels {
    private RowKernels() {}

    static RowKernel of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Kernel.INSTANCE;
            case F16 -> F16Kernel.INSTANCE;
            case BF16 -> BF16Kernel.INSTANCE;
            case Q8_0 -> Q8_0Kernel.INSTANCE;
            case Q4_0 -> Q4_0Kernel.INSTANCE;
            case Q4_1 -> Q4_1Kernel.INSTANCE;
            case Q5_0 -> Q5_0Kernel.INSTANCE;
            case Q5_1 -> Q5_1Kernel.INSTANCE;
            case Q2_K -> Q2KKernel.INSTANCE;
            case Q3_K -> Q3KKernel.INSTANCE;
            case Q4_K -> Q4KKernel.INSTANCE;
            case Q5_K -> Q5KKernel.INSTANCE;
            case Q6_K -> Q6KKernel.INSTANCE;
            case F8_E4M3 -> F8E4M3Kernel.INSTANCE;
            default -> throw new Glm4jException("tensor type " + type + " is not supported for computation");
        };
    }
}
