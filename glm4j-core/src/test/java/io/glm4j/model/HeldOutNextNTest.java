package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NextN (MTP) head of the held-out models against float64 NumPy goldens ({@code <stem>.mtp.golden.json},
 * made by {@code mtp_numpy.py} beside them): GLM-4.5 (full) switches — q/k norms in the NextN block,
 * routed scale 2.5, top-6 of 24 — and group-limited routing in the NextN block.
 */
class HeldOutNextNTest {
    static final Path DIR = HeldOutReferenceTest.DIR;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-glm45full-F32", "tiny-glm45group-F32"})
    void nextNLogitsMatchTheReferenceAtEveryPosition(String stem) {
        Golden golden = Golden.load(DIR.resolve(stem + ".mtp.golden.json"));
        try (GgufFile file = GgufFile.open(DIR.resolve(stem + ".gguf"))) {
            Glm4MoeModel model = Glm4MoeModel.load(file, WorkerPool.shared());
            for (Golden.Prompt p : golden.prompts()) {
                JsonNode json = p.json();
                int[] sequence = Golden.ints(json.get("sequence"));
                int[] next = Golden.ints(json.get("next_tokens"));
                int n = sequence.length;
                float[] hidden = model.forward(Batch.of(0, 0, sequence, true), model.newCache(n, 1)).hidden();
                Glm4MoeModel.Output draft = model.forwardNextN(Batch.of(0, 0, next, true), hidden, model.newNextNCache(KvCacheType.F32, n, 1));
                float[][] expected = p.matrix("logits");
                int[] argmax = p.argmax();
                float[] margins = p.topMargins();
                for (int i = 0; i < n; i++) {
                    float[] row = draft.logitsRow(i);
                    assertThat(row).as("%s %s position %d", stem, p.name(), i).containsExactly(expected[i], within(1e-3f));
                    if (margins[i] > 1e-3f) assertThat(Glm4MoeModelF32Test.argmax(row)).as("%s %s argmax %d", stem, p.name(), i).isEqualTo(argmax[i]);
                }
            }
        }
    }
}
