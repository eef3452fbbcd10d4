package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The NextN (MTP) head against the fixture's NumPy goldens ({@code mtp} of each prompt). */
class NextNTest {
    static GgufFile file;
    static Glm4MoeModel model;

    @BeforeAll
    static void load() {
        file = GgufFile.open(Fixtures.model("F32"));
        model = Glm4MoeModel.load(file, WorkerPool.shared());
    }

    @AfterAll
    static void close() {
        file.close();
    }

    @Test
    void nextNLogitsMatchTheReferenceAtEveryPosition() {
        for (Golden.Prompt p : Fixtures.golden("F32").prompts()) {
            JsonNode mtp = p.json().get("mtp");
            int[] sequence = Golden.ints(mtp.get("sequence"));
            int[] next = Golden.ints(mtp.get("next_tokens"));
            int n = sequence.length;
            Glm4MoeModel.Output main = model.forward(Batch.of(0, 0, sequence, true), model.newCache(n, 1));
            Glm4MoeModel.Output draft = model.forwardNextN(Batch.of(0, 0, next, true), main.hidden(), model.newNextNCache(KvCacheType.F32, n, 1));
            float[][] expected = p.golden().matrix(mtp.get("logits"));
            int[] argmax = Golden.ints(mtp.get("argmax"));
            for (int i = 0; i < n; i++) {
                assertThat(draft.logitsRow(i)).as("%s position %d", p.name(), i).containsExactly(expected[i], within(1e-3f));
                assertThat(Glm4MoeModelF32Test.argmax(draft.logitsRow(i))).isEqualTo(argmax[i]);
            }
        }
    }

    @Test
    void aBatchWhoseLastTokenAloneWantsLogitsGetsTheReferenceRowAndFillsTheCache() {
        Reference ref = Reference.ofPrompt(2);
        int n = ref.next().length;
        KvCache cache = model.newNextNCache(KvCacheType.F32, n, 1);
        Glm4MoeModel.Output draft = model.forwardNextN(Batch.of(0, 0, Arrays.copyOf(ref.next(), n - 1), false), ref.hidden(), cache);
        assertThat(draft.rows()).isEqualTo(1);
        assertThat(draft.logitsRow(0)).containsExactly(ref.expected()[n - 2], within(1e-3f));
        Glm4MoeModel.Output step = model.forwardNextN(Batch.of(0, n - 1, new int[] {ref.next()[n - 1]}, true), ref.hiddenRow(n - 1), cache);
        assertThat(step.logitsRow(0)).containsExactly(ref.expected()[n - 1], within(1e-3f));
    }

    @Test
    void stepByStepDraftingEqualsOneBatch() {
        Reference ref = Reference.ofPrompt(2);
        int n = ref.next().length;
        KvCache cache = model.newNextNCache(KvCacheType.F32, n, 1);
        for (int i = 0; i < n; i++) {
            Glm4MoeModel.Output step = model.forwardNextN(Batch.of(0, i, new int[] {ref.next()[i]}, true), ref.hiddenRow(i), cache);
            assertThat(step.logitsRow(0)).as("position %d", i).containsExactly(ref.expected()[i], within(1e-3f));
        }
    }

    /** A golden prompt's MTP case: the tokens the NextN block sees, the main model's final hidden states over the sequence, and llama.cpp's NextN logits. */
    private record Reference(int[] next, float[] hidden, float[][] expected) {
        static Reference ofPrompt(int index) {
            Golden.Prompt p = Fixtures.golden("F32").prompts().get(index);
            JsonNode mtp = p.json().get("mtp");
            int[] sequence = Golden.ints(mtp.get("sequence"));
            float[] hidden = model.forward(Batch.of(0, 0, sequence, true), model.newCache(sequence.length, 1)).hidden();
            return new Reference(Golden.ints(mtp.get("next_tokens")), hidden, p.golden().matrix(mtp.get("logits")));
        }

        float[] hiddenRow(int i) {
            int h = model.config().hiddenSize();
            return Arrays.copyOfRange(hidden, i * h, (i + 1) * h);
        }
    }
}
