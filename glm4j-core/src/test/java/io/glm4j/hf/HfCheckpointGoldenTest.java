package io.glm4j.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.generate.LoadedModel;
import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The BF16 and FP8 checkpoints of {@code ../shared/fixtures/glm45-hf/}, opened as directories, against
 * their float64 NumPy goldens: prompt logits at every position, the teacher-forced greedy steps and the
 * NextN head, each up to the first fragile router decision (a top-k gap under {@link #FRAGILE}, where a
 * float32 engine may rightly pick the other expert; only the BF16 {@code random_40} step 18 has one).
 */
class HfCheckpointGoldenTest {
    static final Path HF = Fixtures.SHARED.resolve("fixtures/glm45-hf");
    static final double FRAGILE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"bf16", "fp8"})
    void logitsMatchTheGoldensAtEveryPositionBeforeTheFirstFragileRouterGap(String variant) {
        Golden golden = Golden.load(HF.resolve("tiny-glm45air-" + variant + ".golden.json"));
        try (LoadedModel loaded = LoadedModel.open(HF.resolve("tiny-glm45air-" + variant), WorkerPool.shared())) {
            Glm4MoeModel model = loaded.model();
            for (Golden.Prompt p : golden.prompts()) {
                int[] tokens = p.tokens();
                int[] greedy = p.greedy();
                assertThat(minimum(p.json().get("router_min_topk_gap_numpy"))).as("prompt gaps").isGreaterThan(FRAGILE);
                KvCache cache = model.newCache(tokens.length + greedy.length, 1);
                Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), cache);
                float[][] logits = p.matrix("logits");
                for (int t = 0; t < tokens.length; t++) {
                    assertThat(out.logitsRow(t)).as("%s %s position %d", variant, p.name(), t).containsExactly(logits[t], within(1e-3f));
                }
                JsonNode stepGaps = p.json().get("router_min_topk_gap_numpy_greedy_steps");
                float[][] steps = p.matrix("greedy_step_logits");
                for (int s = 0; s < greedy.length && stepGaps.get(s).asDouble() > FRAGILE; s++) {
                    assertThat(argmax(s == 0 ? out.logitsRow(tokens.length - 1) : out.logitsRow(0))).isEqualTo(greedy[s]);
                    out = model.forward(Batch.of(0, tokens.length + s, new int[] {greedy[s]}, true), cache);
                    assertThat(out.logitsRow(0)).as("%s %s step %d", variant, p.name(), s).containsExactly(steps[s], within(1e-3f));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bf16", "fp8"})
    void theNextNHeadMatchesItsGoldensBeforeTheFirstFragilePosition(String variant) {
        Golden golden = Golden.load(HF.resolve("tiny-glm45air-" + variant + ".golden.json"));
        try (LoadedModel loaded = LoadedModel.open(HF.resolve("tiny-glm45air-" + variant), WorkerPool.shared())) {
            Glm4MoeModel model = loaded.model();
            for (Golden.Prompt p : golden.prompts()) {
                JsonNode mtp = p.json().get("mtp");
                int[] sequence = Golden.ints(mtp.get("sequence"));
                int[] next = Golden.ints(mtp.get("next_tokens"));
                int n = sequence.length;
                int stable = p.tokens().length;
                JsonNode stepGaps = p.json().get("router_min_topk_gap_numpy_greedy_steps");
                while (stable < n && stepGaps.get(stable - p.tokens().length).asDouble() > FRAGILE) stable++;
                Glm4MoeModel.Output main = model.forward(Batch.of(0, 0, sequence, true), model.newCache(n, 1));
                Glm4MoeModel.Output draft = model.forwardNextN(Batch.of(0, 0, next, true), main.hidden(),
                        model.newNextNCache(KvCacheType.F32, n, 1));
                float[][] expected = golden.matrix(mtp.get("logits"));
                for (int i = 0; i < stable; i++) {
                    assertThat(draft.logitsRow(i)).as("%s %s MTP position %d", variant, p.name(), i).containsExactly(expected[i], within(1e-3f));
                }
            }
        }
    }

    static double minimum(JsonNode values) {
        double min = Double.MAX_VALUE;
        for (JsonNode v : values) min = Math.min(min, v.asDouble());
        return min;
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
