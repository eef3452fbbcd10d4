package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantized fixtures against NumPy's float64 forward pass over exactly dequantized weights
 * ({@code logits_numpy_dequant}): glm4j keeps activations in float32, so this — not llama.cpp's
 * int8-activation logits — is the reference it must meet.
 */
class Glm4MoeModelQuantizedTest {

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q6_K", "Q4_K_M", "Q4_0"})
    void logitsMatchTheDequantizedReference(String type) {
        try (GgufFile file = GgufFile.open(Fixtures.model(type))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            for (Golden.Prompt p : Fixtures.golden(type).prompts()) {
                int[] tokens = p.tokens();
                Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), model.newCache(tokens.length, 1));
                float[][] expected = p.matrix("logits_numpy_dequant");
                for (int t = 0; t < tokens.length; t++) {
                    assertThat(out.logitsRow(t)).as("%s %s position %d", type, p.name(), t).containsExactly(expected[t], within(1e-2f));
                }
            }
        }
    }
}
