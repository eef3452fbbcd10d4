package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.WorkerPool;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The F32 fixture against llama.cpp's own logits, hidden states and greedy continuations. */
class Glm4MoeModelF32Test {
    private static GgufFile file;
    private static Glm4MoeModel model;
    private static List<Golden.Prompt> prompts;

    @BeforeAll
    static void load() {
        file = GgufFile.open(Fixtures.model("F32"));
        model = Glm4MoeModel.load(file, WorkerPool.shared());
        prompts = Fixtures.golden("F32").prompts();
    }

    @AfterAll
    static void close() {
        file.close();
    }

    @Test
    void configIsTheTinyAirShape() {
        Glm4MoeConfig c = model.config();
        assertThat(c.blockCount()).isEqualTo(4);
        assertThat(c.nextnLayers()).isEqualTo(1);
        assertThat(c.vocabSize()).isEqualTo(640);
        assertThat(c.ropeDims()).isEqualTo(32);
        assertThat(c.leadingDenseBlocks()).isEqualTo(1);
        assertThat(model.weights().nextn()).hasSize(1);
    }

    @Test
    void promptLogitsMatchLlamaCppInOneBatch() {
        for (Golden.Prompt p : prompts) {
            int[] tokens = p.tokens();
            Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), model.newCache(512, 1));
            float[][] expected = p.matrix("logits");
            float[][] hidden = p.matrix("hidden_final_norm");
            for (int t = 0; t < tokens.length; t++) {
                float[] row = out.logitsRow(t);
                assertThat(row).as("%s logits at %d", p.name(), t).containsExactly(expected[t], within(1e-3f));
                assertThat(argmax(row)).as("%s argmax at %d", p.name(), t).isEqualTo(p.argmax()[t]);
                for (int i = 0; i < hidden[t].length; i++) {
                    assertThat(out.hidden()[t * hidden[t].length + i]).isCloseTo(hidden[t][i], within(1e-3f));
                }
            }
        }
    }

    @Test
    void decodingOneTokenAtATimeReproducesTheGreedyContinuation() {
        for (Golden.Prompt p : prompts) {
            int[] tokens = p.tokens();
            KvCache cache = model.newCache(512, 1);
            Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, false), cache);
            int[] greedy = p.greedy();
            float[][] stepLogits = p.matrix("greedy_step_logits");
            int next = argmax(out.logitsRow(0));
            for (int s = 0; s < greedy.length; s++) {
                assertThat(next).as("%s greedy token %d", p.name(), s).isEqualTo(greedy[s]);
                out = model.forward(Batch.of(0, tokens.length + s, new int[] {next}, true), cache);
                assertThat(out.logitsRow(0)).as("%s step %d", p.name(), s).containsExactly(stepLogits[s], within(1e-3f));
                next = argmax(out.logitsRow(0));
            }
        }
    }

    @Test
    void prefillInOneBatchEqualsFeedingTokensOneByOne() {
        int[] tokens = prompts.get(3).tokens();
        Glm4MoeModel.Output batch = model.forward(Batch.of(0, 0, tokens, true), model.newCache(64, 1));
        KvCache cache = model.newCache(64, 1);
        for (int t = 0; t < tokens.length; t++) {
            Glm4MoeModel.Output step = model.forward(Batch.of(0, t, new int[] {tokens[t]}, true), cache);
            assertThat(step.logitsRow(0)).as("position %d", t).containsExactly(batch.logitsRow(t), within(1e-5f));
        }
    }

    @Test
    void aPromptWhoseLastTokenAloneWantsLogitsGetsThatRowOfTheFullPass() {
        Golden.Prompt p = prompts.get(3);
        int[] tokens = p.tokens();
        int h = model.config().hiddenSize();
        Glm4MoeModel.Output all = model.forward(Batch.of(0, 0, tokens, true), model.newCache(64, 1));
        KvCache cache = model.newCache(64, 1);
        Glm4MoeModel.Output last = model.forward(Batch.of(0, 0, tokens, false), cache);
        assertThat(last.rows()).isEqualTo(1);
        assertThat(last.logitsRow(0)).containsExactly(all.logitsRow(tokens.length - 1), within(1e-5f));
        assertThat(last.hidden()).containsExactly(Arrays.copyOfRange(all.hidden(), (tokens.length - 1) * h, tokens.length * h), within(1e-5f));
        assertThat(last.logitsRow(0)).containsExactly(p.matrix("logits")[tokens.length - 1], within(1e-3f));
        assertThat(cache.length(0)).isEqualTo(tokens.length);
    }

    @Test
    void truncatingTheCacheRollsASequenceBack() {
        int[] tokens = prompts.get(0).tokens();
        KvCache cache = model.newCache(64, 1);
        model.forward(Batch.of(0, 0, tokens, false), cache);
        cache.truncate(0, 10);
        assertThat(cache.length(0)).isEqualTo(10);
        Glm4MoeModel.Output redo = model.forward(Batch.of(0, 10, Arrays.copyOfRange(tokens, 10, tokens.length), true), cache);
        assertThat(redo.logitsRow(redo.rows() - 1)).containsExactly(prompts.get(0).matrix("logits")[tokens.length - 1], within(1e-3f));
    }

    @Test
    void aPromptLongerThanTheContextIsAClearError() {
        assertThatThrownBy(() -> model.forward(Batch.of(0, 0, prompts.get(0).tokens(), false), model.newCache(8, 1)))
                .isInstanceOf(Glm4jException.class).hasMessageContaining("context of 8 tokens");
    }

    @Test
    void twoSequencesInOneBatchGiveTheirOwnLogits() {
        Golden.Prompt a = prompts.get(0);
        Golden.Prompt b = prompts.get(2);
        KvCache cache = model.newCache(128, 2);
        int na = a.tokens().length;
        int nb = b.tokens().length;
        int[] tokens = new int[na + nb];
        int[] positions = new int[na + nb];
        int[] seqs = new int[na + nb];
        boolean[] want = new boolean[na + nb];
        for (int i = 0; i < na + nb; i++) {
            boolean first = i < na;
            tokens[i] = first ? a.tokens()[i] : b.tokens()[i - na];
            positions[i] = first ? i : i - na;
            seqs[i] = first ? 0 : 1;
            want[i] = true;
        }
        Glm4MoeModel.Output out = model.forward(new Batch(tokens, positions, seqs, want), cache);
        assertThat(out.logitsRow(na - 1)).containsExactly(a.matrix("logits")[na - 1], within(1e-3f));
        assertThat(out.logitsRow(na + nb - 1)).containsExactly(b.matrix("logits")[nb - 1], within(1e-3f));
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
