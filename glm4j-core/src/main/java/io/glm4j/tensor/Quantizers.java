package io.glm4j.tensor;

import io.glm4j.Glm4jException;

/** Maps each storage type glm4j can write to its quantizer. */
final class Quantizers {
    private Quantizers() {}

    static Quantizer of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Quantizer.INSTANCE;
            case F16 -> F16Quantizer.INSTANCE;
            case BF16 -> BF16Quantizer.INSTANCE;
            case Q8_0 -> Q8_0Quantizer.INSTANCE;
            case Q4_0 -> Q4_0Quantizer.INSTANCE;
            case Q5_0 -> Q5_0Quantizer.INSTANCE;
            case Q4_K -> Q4KQuantizer.INSTANCE;
            case Q6_K -> Q6KQuantizer.INSTANCE;
            default -> throw new Glm4jException("glm4j cannot write tensors of type " + type);
        };
    }
}
