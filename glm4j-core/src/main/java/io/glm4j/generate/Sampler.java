package io.glm4j.generate;

import io.glm4j.tensor.VectorMath;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Turns a logits row into the next token. The steps run in vLLM's order: logit bias, penalties,
 * token mask, temperature, then top-k, top-p and min-p truncation, renormalise, draw.
 * The candidates kept are sorted by probability (ties: lower id first), so truncation is a prefix cut.
 *
 * <p>A vocabulary has 151,552 tokens and a step keeps a few of them, so only what is kept is
 * sorted: the candidates are packed into primitive sort keys, the best are selected in linear time
 * and sorted, and more are taken only if the cut falls beyond them. Its buffers are reused from
 * token to token; one sampler serves one generation, on one thread at a time.
 */
public final class Sampler {
    /** Candidates sorted on a first try when top-k is off; enough for any peaked distribution. */
    private static final int FIRST_TRY = 256;

    private final SamplingParams params;
    private final SplittableRandom random;
    private float[] scores = new float[0];
    /** Candidates as sort keys: the score's order reversed in the high half, the token id in the low one. */
    private long[] keys = new long[0];
    private double[] probabilities = new double[0];

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
        float[] s = adjustedLogits(logits, history, historyLength, allowed);
        if (params.greedy()) return unmasked(best(s));
        int kept = truncate(s);
        if (kept == 1) return token(keys[0]);
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probabilities[i];
            if (u < cumulative) return token(keys[i]);
        }
        return token(keys[kept - 1]);
    }

    /** The final distribution the next token is drawn from, most probable first (greedy: one candidate). */
    public List<Candidate> distribution(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        float[] s = adjustedLogits(logits, history, historyLength, allowed);
        if (params.greedy()) return List.of(new Candidate(unmasked(best(s)), 1.0));
        int kept = truncate(s);
        Candidate[] out = new Candidate[kept];
        for (int i = 0; i < kept; i++) out[i] = new Candidate(token(keys[i]), probabilities[i]);
        return List.of(out);
    }

    /** The most likely token after bias, penalties and the token mask (null: all), what a greedy draft proposes. */
    public int mostLikely(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        return Math.max(0, best(adjustedLogits(logits, history, historyLength, allowed))); // all masked: a draft verification rejects
    }

    /**
     * Logits after bias, penalties and the token mask, in a buffer this sampler reuses ({@code logits}
     * is not changed).
     */
    float[] adjustedLogits(float[] logits, int[] history, int historyLength, boolean[] allowed) {
        if (scores.length != logits.length) scores = new float[logits.length];
        float[] s = scores;
        System.arraycopy(logits, 0, s, 0, logits.length);
        params.logitBias().forEach((token, bias) -> {
            if (token >= 0 && token < s.length) s[token] += bias;
        });
        applyPenalties(s, history, historyLength);
        if (allowed != null) {
            for (int i = 0; i < s.length; i++) if (i >= allowed.length || !allowed[i]) s[i] = Float.NEGATIVE_INFINITY;
        }
        return s;
    }

    /** The highest score's token, the lowest id among equals; −1 when every token is masked. */
    private static int best(float[] s) {
        int best = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] != Float.NEGATIVE_INFINITY && (best < 0 || s[i] > s[best])) best = i;
        }
        return best;
    }

    private static int unmasked(int token) {
        if (token < 0) throw new IllegalStateException("every token is masked");
        return token;
    }

    /**
     * Applies temperature, top-k, top-p and min-p to the scores: leaves the kept candidates' keys,
     * best first, in {@code keys} and their renormalised probabilities in {@code probabilities};
     * returns how many were kept.
     */
    private int truncate(float[] s) {
        int n = packCandidates(s);
        boolean topK = params.topK() > 0;
        int pool = topK ? Math.min(params.topK(), n) : n;
        boolean cuts = params.topP() < 1f || params.minP() > 0f;
        int sorted = topK || !cuts ? pool : Math.min(pool, FIRST_TRY);
        sortBest(n, sorted);
        double max = s[token(keys[0])];
        double sum = 0; // the softmax is over the top-k pool (sorted whole) or over every candidate
        if (topK) {
            for (int i = 0; i < pool; i++) sum += Math.exp((s[token(keys[i])] - max) / params.temperature());
        } else { // vectorized over the whole row (masked scores are −∞): it only places the top-p cut
            sum = VectorMath.sumExp(s, s.length, (float) max, 1f / params.temperature());
        }
        int kept;
        while ((kept = cut(s, sorted, pool, max, sum)) < 0) { // the cut lies beyond the sorted candidates
            sorted = Math.min(pool, 4 * sorted);
            sortBest(n, sorted);
        }
        double total = 0;
        for (int i = 0; i < kept; i++) total += probabilities[i];
        for (int i = 0; i < kept; i++) probabilities[i] /= total;
        return kept;
    }

    /**
     * Walks the first {@code sorted} candidates of the pool, writing their probabilities, to the
     * first top-p or min-p cut; returns the count kept, or −1 when the cut lies beyond them.
     */
    private int cut(float[] s, int sorted, int pool, double max, double sum) {
        if (probabilities.length < sorted) probabilities = new double[Math.max(sorted, 2 * probabilities.length)];
        double threshold = 0;
        double cumulative = 0;
        for (int i = 0; i < sorted; i++) {
            double p = Math.exp((s[token(keys[i])] - max) / params.temperature()) / sum;
            if (i == 0) threshold = params.minP() * p;
            else if (params.minP() > 0f && p < threshold) return i;
            probabilities[i] = p;
            cumulative += p;
            if (params.topP() < 1f && cumulative >= params.topP()) return i + 1;
        }
        return sorted == pool ? sorted : -1;
    }

    /** Brings the best {@code count} of the {@code n} candidates to the front of {@link #keys}, sorted. */
    private void sortBest(int n, int count) {
        selectSmallest(keys, n, count);
        Arrays.sort(keys, 0, count);
    }

    /** Packs every unmasked token into {@link #keys}; returns their number. */
    private int packCandidates(float[] s) {
        if (keys.length != s.length) keys = new long[s.length];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == Float.NEGATIVE_INFINITY) continue;
            int bits = Float.floatToRawIntBits(s[i]);
            int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF); // signed order of the ints = order of the floats
            keys[n++] = (long) ~ordered << 32 | i;
        }
        if (n == 0) throw new IllegalStateException("every token is masked");
        return n;
    }

    private static int token(long key) {
        return (int) key;
    }

    /** Reorders {@code a[0, n)} so that its {@code k} smallest (distinct) values come first, in any order: quickselect. */
    static void selectSmallest(long[] a, int n, int k) {
        if (k >= n) return;
        int lo = 0, hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long pivot = Math.max(Math.min(a[lo], a[mid]), Math.min(Math.max(a[lo], a[mid]), a[hi])); // median of three
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k - 1 <= j) hi = j;
            else if (k - 1 >= i) lo = i;
            else return;
        }
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
