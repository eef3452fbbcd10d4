package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.gguf.GgufFile;
import io.glm4j.repack.Repack;
import io.glm4j.repack.RowGroupFile;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    /** The same check with the matrices repacked into row groups, which decode steps and short prompts then read. */
    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q6_K", "Q4_K_M", "Q4_0"})
    void repackedLogitsAgreeWithLlamaCpp(String type, @TempDir Path cache) {
        try (GgufFile file = GgufFile.open(Fixtures.model(type)); RowGroupFile groups = RowGroupFile.open(file, Repack.quietly(cache))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, groups::attach, WorkerPool.shared());
            assertThat(model.weights().layers().get(1).attention().wq().groups()).as("attn_q repacked").isNotNull();
            assertThat(model.weights().output().groups()).as("the output head repacked").isNotNull();
            LlamaCppAgreement.check(model, Fixtures.golden(type), type + " repacked");
        }
    }

    /** The warm-up runs the model on its own cache and scratch: the model's results afterwards are still llama.cpp's. */
    @Test
    void aWarmedUpModelStillAgreesWithLlamaCpp(@TempDir Path cache) {
        try (GgufFile file = GgufFile.open(Fixtures.model("Q4_K_M")); RowGroupFile groups = RowGroupFile.open(file, Repack.quietly(cache))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, groups::attach, WorkerPool.shared());
            model.warmUp(KvCacheType.F16);
            LlamaCppAgreement.check(model, Fixtures.golden("Q4_K_M"), "Q4_K_M repacked, warmed up");
        }
    }
}
