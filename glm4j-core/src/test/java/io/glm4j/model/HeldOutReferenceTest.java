package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model variants the shared fixtures lack, checked against a locally built llama.cpp and a float64
 * NumPy forward pass (see the README beside the files): the GLM-4.5 (355B) switches — per-head
 * q/k norms, three leading dense layers, routed scale 2.5, top-6 of 24 experts —, group-limited
 * routing, and the storage types F16, BF16, Q4_1, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K.
 */
class HeldOutReferenceTest {
    static final Path DIR = Path.of("glm4j-core/src/test/resources/io/glm4j/model/reference");

    /** Float32 files: llama.cpp's own logits, argmax and greedy decode. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-glm45full-F32", "tiny-glm45group-F32"})
    void float32ModelsMatchLlamaCpp(String stem) {
        Golden golden = Golden.load(DIR.resolve(stem + ".golden.json"));
        try (GgufFile file = GgufFile.open(DIR.resolve(stem + ".gguf"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            for (Golden.Prompt p : golden.prompts()) {
                int[] tokens = p.tokens();
                KvCache cache = model.newCache(64, 1);
                Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), cache);
                float[][] expected = p.matrix("logits");
                for (int t = 0; t < tokens.length; t++) {
                    float[] row = out.logitsRow(t);
                    assertThat(row).as("%s %s logits at %d", stem, p.name(), t).containsExactly(expected[t], within(1e-3f));
                    if (p.topMargins()[t] > 1e-3f) assertThat(Glm4MoeModelF32Test.argmax(row)).isEqualTo(p.argmax()[t]);
                }
                float[][] steps = p.matrix("greedy_step_logits");
                int next = Glm4MoeModelF32Test.argmax(out.logitsRow(tokens.length - 1));
                for (int s = 0; s < p.greedy().length; s++) {
                    assertThat(next).as("%s %s greedy %d", stem, p.name(), s).isEqualTo(p.greedy()[s]);
                    out = model.forward(Batch.of(0, tokens.length + s, new int[] {next}, true), cache);
                    assertThat(out.logitsRow(0)).containsExactly(steps[s], within(1e-3f));
                    next = Glm4MoeModelF32Test.argmax(out.logitsRow(0));
                }
            }
        }
    }

    /** Float16 and bfloat16 weights meet float32 activations: NumPy's float64 pass over the same weights. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-glm45group-F16", "tiny-glm45group-BF16"})
    void halfPrecisionModelsMatchTheDequantizedReference(String stem) {
        Golden golden = Golden.load(DIR.resolve(stem + ".golden.json"));
        try (GgufFile file = GgufFile.open(DIR.resolve(stem + ".gguf"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            for (Golden.Prompt p : golden.prompts()) {
                int[] tokens = p.tokens();
                KvCache cache = model.newCache(64, 1);
                Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), cache);
                float[][] expected = p.matrix("logits_numpy_dequant");
                for (int t = 0; t < tokens.length; t++) {
                    assertThat(out.logitsRow(t)).as("%s %s position %d", stem, p.name(), t).containsExactly(expected[t], within(1e-2f));
                }
                float[][] steps = p.matrix("greedy_step_logits_numpy_dequant");
                for (int s = 0; s < p.greedy().length; s++) {
                    out = model.forward(Batch.of(0, tokens.length + s, new int[] {p.greedy()[s]}, true), cache);
                    assertThat(out.logitsRow(0)).as("%s %s step %d", stem, p.name(), s).containsExactly(steps[s], within(1e-2f));
                }
            }
        }
    }

    /** Quantized storage types: llama.cpp's logits, whose activation rounding glm4j shares (see {@link LlamaCppAgreement}). */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-glm45group-Q4_1", "tiny-glm45group-Q5_1", "tiny-glm45k256-Q2_K", "tiny-glm45k256-Q3_K_M", "tiny-glm45k256-Q5_K_M"})
    void quantizedModelsAgreeWithLlamaCpp(String stem) {
        try (GgufFile file = GgufFile.open(DIR.resolve(stem + ".gguf"))) {
            LlamaCppAgreement.check(Glm4MoeModel.load(file, WorkerPool.shared()), Golden.load(DIR.resolve(stem + ".golden.json")), stem);
        }
    }
}
