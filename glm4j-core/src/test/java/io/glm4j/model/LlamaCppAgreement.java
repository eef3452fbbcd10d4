package io.glm4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Golden;

/**
 * Checks a quantized model against llama.cpp's own logits. glm4j rounds the activations of every
 * quantized matrix product as llama.cpp's CPU backend does (int8 blocks Q8_0 / Q8_1 / Q8_K), so
 * the two agree to float rounding (~1e-6) — until an activation lies so close
 * to a rounding boundary that the engines' last-bit differences round it to neighbouring quants.
 * From such a flip on, that position and the positions attending to it differ by as much as int8
 * rounding itself moves logits (≈0.1, rarely ≈1; float activations differ from llama.cpp's logits by
 * up to ~2 on these files). The golden data cannot tell where flips happen (router gaps and logit
 * margins do not predict them), so the check is:
 *
 * <ul>
 *   <li>the first position matches within {@value #EXACT} in all but at most one prompt of a file
 *       (a flip needs an activation within a last-bit difference of a boundary; float activations
 *       miss llama.cpp's first position by 0.1–1);
 *   <li>at least {@value #MIN_EXACT_FRACTION} of all rows (prompt positions and teacher-forced
 *       decode steps) match within {@value #CLOSE} (observed 35–63% on the fixtures, 60–100% on the
 *       held-out files; an engine with float activations has none);
 *   <li>every row is within {@value #AFTER_FLIP}.
 * </ul>
 */
final class LlamaCppAgreement {
    static final float EXACT = 1e-2f;
    static final float CLOSE = 1e-3f;
    static final double MIN_EXACT_FRACTION = 0.2;
    static final float AFTER_FLIP = 2.5f;

    private LlamaCppAgreement() {}

    static void check(Glm4MoeModel model, Golden golden, String label) {
        int close = 0, rows = 0, firstPositionsOff = 0;
        for (Golden.Prompt p : golden.prompts()) {
            int[] tokens = p.tokens();
            int[] greedy = p.greedy();
            KvCache cache = model.newCache(tokens.length + greedy.length, 1);
            Glm4MoeModel.Output out = model.forward(Batch.of(0, 0, tokens, true), cache);
            float[][] expected = p.matrix("logits");
            for (int t = 0; t < tokens.length; t++) {
                float diff = maxAbsDiff(out.logitsRow(t), expected[t]);
                if (t == 0 && diff > EXACT) firstPositionsOff++;
                if (diff <= CLOSE) close++;
                assertThat(diff).as("%s %s: position %d", label, p.name(), t).isLessThanOrEqualTo(AFTER_FLIP);
            }
            float[][] steps = p.matrix("greedy_step_logits");
            for (int s = 0; s < greedy.length; s++) {
                out = model.forward(Batch.of(0, tokens.length + s, new int[] {greedy[s]}, true), cache);
                float diff = maxAbsDiff(out.logitsRow(0), steps[s]);
                if (diff <= CLOSE) close++;
                assertThat(diff).as("%s %s: step %d", label, p.name(), s).isLessThanOrEqualTo(AFTER_FLIP);
            }
            rows += tokens.length + greedy.length;
        }
        assertThat(firstPositionsOff).as("%s: prompts whose first position is off by more than %s", label, EXACT).isLessThanOrEqualTo(1);
        assertThat((double) close / rows).as("%s: fraction of rows within %s", label, CLOSE).isGreaterThanOrEqualTo(MIN_EXACT_FRACTION);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        float max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }
}
