package io.glm4j.model;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantized fixtures against llama.cpp's logits (prompt batches and teacher-forced decode steps):
 * glm4j quantizes activations as llama.cpp does, see {@link LlamaCppAgreement}.
 */
class Glm4MoeModelQuantizedTest {

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q6_K", "Q4_K_M", "Q4_0"})
    void logitsAgreeWithLlamaCpp(String type) {
        try (GgufFile file = GgufFile.open(Fixtures.model(type))) {
            LlamaCppAgreement.check(Glm4MoeModel.load(file, WorkerPool.shared()), Fixtures.golden(type), type);
        }
    }
}
