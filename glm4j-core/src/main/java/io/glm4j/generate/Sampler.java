package io.glm4j.generate;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns a logits row into the next token. The steps run in vLLM's order: logit bias, penalties,
 * token mask, temperature, then top-k, top-p and min-p truncation, renormalise, draw.
 * The candidate set is kept sorted by probability so truncation is a prefix cut.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed() != null ? params.seed() : System.nanoTime());
    }

    public SamplingParams params() {
        return params;
    }

    /** A token with its probability under the final (truncated, renormalised) distribution. */
    public record Candidate(int token, double probability) {}

    /** Draws the next token; {@code history} is prompt + output so far, {@code allowed} masks tokens (null: all). */
    public int sample(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        List<Candidate> candidates = distribution(logits, history, historyLength, allowed);
        if (candidates.size() == 1 || params.greedy()) return candidates.getFirst().token();
        double u = random.nextDouble();
        double cumulative = 0;
        for (Candidate c : candidates) {
            cumulative += c.probability();
            if (u < cumulative) return c.token();
        }
        return candidates.getLast().token();
    }

    /** The final distribution the next token is drawn from, most probable first (greedy: one candidate). */
    public List<Candidate> distribution(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        float[] scores = adjustedLogits(logits, history, historyLength, allowed);
        Integer[] order = new Integer[scores.length];
        int n = 0;
        for (int i = 0; i < scores.length; i++) if (scores[i] != Float.NEGATIVE_INFINITY) order[n++] = i;
        if (n == 0) throw new IllegalStateException("every token is masked");
        Integer[] ids = Arrays.copyOf(order, n);
        Arrays.sort(ids, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : Integer.compare(a, b));
        if (params.greedy()) return List.of(new Candidate(ids[0], 1.0));

        int keep = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        double max = scores[ids[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((scores[ids[i]] - max) / params.temperature());
            sum += p[i];
        }
        for (int i = 0; i < keep; i++) p[i] /= sum;
        if (params.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i];
                if (cumulative >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
        }
        if (params.minP() > 0f) {
            double threshold = params.minP() * p[0];
            int k = 1;
            while (k < keep && p[k] >= threshold) k++;
            keep = k;
        }
        double kept = 0;
        for (int i = 0; i < keep; i++) kept += p[i];
        Candidate[] out = new Candidate[keep];
        for (int i = 0; i < keep; i++) out[i] = new Candidate(ids[i], p[i] / kept);
        return List.of(out);
    }

    /** The most likely token after bias, penalties and the token mask (null: all), what a greedy draft proposes. */
    public int mostLikely(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        float[] s = adjustedLogits(logits, history, historyLength, allowed);
        int best = 0;
        for (int i = 1; i < s.length; i++) if (s[i] > s[best]) best = i;
        return best;
    }

    /** Logits after bias, penalties and the token mask (a copy; {@code logits} is not changed). */
    float[] adjustedLogits(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        float[] s = logits.clone();
        params.logitBias().forEach((token, bias) -> {
            if (token >= 0 && token < s.length) s[token] += bias;
        });
        applyPenalties(s, history, historyLength);
        if (allowed != null) {
            for (int i = 0; i < s.length; i++) if (i >= allowed.length || !allowed[i]) s[i] = Float.NEGATIVE_INFINITY;
        }
        return s;
    }

    private void applyPenalties(float[] s, int[] history, int historyLength) {
        boolean any = params.repetitionPenalty() != 1f || params.presencePenalty() != 0f || params.frequencyPenalty() != 0f;
        if (!any || historyLength == 0) return;
        int from = params.penaltyLastN() < 0 ? 0 : Math.max(0, historyLength - params.penaltyLastN());
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = from; i < historyLength; i++) counts.merge(history[i], 1, Integer::sum);
        counts.forEach((token, count) -> {
            if (token < 0 || token >= s.length) return;
            float v = s[token];
            v = v > 0 ? v / params.repetitionPenalty() : v * params.repetitionPenalty();
            s[token] = v - params.presencePenalty() - count * params.frequencyPenalty();
        });
    }
}
