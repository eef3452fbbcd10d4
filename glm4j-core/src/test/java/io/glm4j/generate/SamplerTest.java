package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.glm4j.Glm4jException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each sampling step on fixed logits, checked against distributions worked out by hand. */
class SamplerTest {
    // softmax([0, ln2, ln3, ln4]) = [1, 2, 3, 4] / 10
    static final float[] LOGITS = {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
    static final SamplingParams PLAIN = SamplingParams.GLM45_DEFAULTS.withTemperature(1f).withTopP(1f).withSeed(1L);

    static List<Sampler.Candidate> dist(SamplingParams p, float[] logits, int... history) {
        return new Sampler(p).distribution(logits, history, history.length, null);
    }

    static void assertDistribution(List<Sampler.Candidate> d, int[] tokens, double[] probabilities) {
        assertThat(d).hasSize(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            assertThat(d.get(i).token()).isEqualTo(tokens[i]);
            assertThat(d.get(i).probability()).isCloseTo(probabilities[i], within(1e-6));
        }
    }

    @Test
    void plainSoftmaxAtTemperatureOne() {
        assertDistribution(dist(PLAIN, LOGITS), new int[] {3, 2, 1, 0}, new double[] {.4, .3, .2, .1});
    }

    @Test
    void temperatureDividesTheLogits() {
        // T = 0.5 squares the odds: [1, 4, 9, 16] / 30
        assertDistribution(dist(PLAIN.withTemperature(0.5f), LOGITS), new int[] {3, 2, 1, 0}, new double[] {16 / 30.0, 9 / 30.0, 4 / 30.0, 1 / 30.0});
    }

    @Test
    void topKKeepsTheKBestAndRenormalises() {
        assertDistribution(dist(PLAIN.withTopK(2), LOGITS), new int[] {3, 2}, new double[] {4 / 7.0, 3 / 7.0});
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        // cumulative .4, .7, .9: p = 0.7 keeps two, p = 0.75 keeps three
        assertDistribution(dist(PLAIN.withTopP(0.7f), LOGITS), new int[] {3, 2}, new double[] {4 / 7.0, 3 / 7.0});
        assertDistribution(dist(PLAIN.withTopP(0.75f), LOGITS), new int[] {3, 2, 1}, new double[] {4 / 9.0, 3 / 9.0, 2 / 9.0});
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        // best .4; min_p 0.45 → threshold .18 keeps .4, .3, .2
        assertDistribution(dist(PLAIN.withMinP(0.45f), LOGITS), new int[] {3, 2, 1}, new double[] {4 / 9.0, 3 / 9.0, 2 / 9.0});
        assertDistribution(dist(PLAIN.withMinP(0.8f), LOGITS), new int[] {3}, new double[] {1});
    }

    @Test
    void penaltiesFollowTheirDefinitions() {
        float[] logits = {2f, -1f, 0.5f};
        Sampler s = new Sampler(PLAIN.withPenalties(2f, 0.5f, 0.25f, -1));
        float[] adjusted = s.adjustedLogits(logits, new int[] {0, 0, 1, 7}, 4, null);
        assertThat(adjusted[0]).isCloseTo(2f / 2 - 0.5f - 2 * 0.25f, within(1e-6f)); // seen twice, positive: divided
        assertThat(adjusted[1]).isCloseTo(-1f * 2 - 0.5f - 0.25f, within(1e-6f));    // seen once, negative: multiplied
        assertThat(adjusted[2]).isEqualTo(0.5f);                                      // unseen
    }

    @Test
    void penaltyWindowOnlyLooksAtTheLastN() {
        Sampler s = new Sampler(PLAIN.withPenalties(1f, 1f, 0f, 2));
        float[] adjusted = s.adjustedLogits(new float[] {1f, 1f, 1f}, new int[] {0, 1, 2}, 3, null);
        assertThat(adjusted).containsExactly(1f, 0f, 0f);
    }

    @Test
    void logitBiasAndMaskComeFirst() {
        Sampler s = new Sampler(PLAIN.withLogitBias(Map.of(0, 100f)));
        assertThat(s.distribution(LOGITS, new int[0], 0, null).getFirst().token()).isZero();
        boolean[] allowed = {false, true, true, false};
        assertDistribution(new Sampler(PLAIN).distribution(LOGITS, new int[0], 0, allowed), new int[] {2, 1}, new double[] {.6, .4});
    }

    @Test
    void greedyTakesTheArgmaxLowestIdOnTies() {
        assertThat(new Sampler(SamplingParams.GREEDY).sample(new float[] {1, 3, 3, 2}, new int[0], 0, null)).isEqualTo(1);
    }

    @Test
    void theSameSeedDrawsTheSameTokensAndFrequenciesFollowTheDistribution() {
        Sampler a = new Sampler(PLAIN.withSeed(42L));
        Sampler b = new Sampler(PLAIN.withSeed(42L));
        int[] counts = new int[4];
        for (int i = 0; i < 20_000; i++) {
            int t = a.sample(LOGITS, new int[0], 0, null);
            assertThat(b.sample(LOGITS, new int[0], 0, null)).isEqualTo(t);
            counts[t]++;
        }
        for (int t = 0; t < 4; t++) assertThat(counts[t] / 20_000.0).isCloseTo((t + 1) / 10.0, within(0.015));
    }

    @Test
    void logprobsAreTheRawLogSoftmax() {
        TokenLogprob lp = TokenLogprob.of(LOGITS, 1, 2);
        assertThat(lp.logprob()).isCloseTo(Math.log(0.2), within(1e-6));
        assertThat(lp.top()).extracting(TokenLogprob.Alternative::token).containsExactly(3, 2);
        assertThat(lp.top().getFirst().logprob()).isCloseTo(Math.log(0.4), within(1e-6));
    }

    @Test
    void invalidParametersAreClearErrors() {
        assertThatThrownBy(() -> PLAIN.withTopP(0f)).isInstanceOf(Glm4jException.class).hasMessageContaining("top_p");
        assertThatThrownBy(() -> PLAIN.withTemperature(-1f)).isInstanceOf(Glm4jException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> PLAIN.withTopK(-3)).isInstanceOf(Glm4jException.class).hasMessageContaining("top_k");
    }

    @Test
    void largeVocabulariesGiveWhatSortingEveryCandidateGives() {
        Random random = new Random(7);
        SamplingParams[] settings = {
            SamplingParams.GLM45_DEFAULTS.withSeed(1L), // top-p 0.95 at temperature 0.6
            PLAIN, PLAIN.withTopK(40), PLAIN.withTopK(5000).withTopP(0.5f), PLAIN.withMinP(0.05f), PLAIN.withTopP(0.999f).withMinP(1e-4f)};
        for (int round = 0; round < 24; round++) {
            float[] logits = new float[round == 0 ? 151_552 : 2_000 + random.nextInt(3_000)];
            double spread = new double[] {0.01, 0.3, 3, 12}[round % 4]; // flat (the cut lies deep) to peaked
            for (int i = 0; i < logits.length; i++) logits[i] = (float) (random.nextGaussian() * spread);
            if (round % 3 == 1) for (int i = 0; i < logits.length; i++) logits[i] = Math.round(logits[i] * 4) / 4f; // many ties
            boolean[] allowed = null;
            if (round % 5 == 2) {
                allowed = new boolean[logits.length];
                for (int i = 0; i < allowed.length; i++) allowed[i] = random.nextInt(3) > 0;
            }
            for (SamplingParams p : settings) {
                List<Sampler.Candidate> got = new Sampler(p).distribution(logits, new int[0], 0, allowed);
                List<Sampler.Candidate> want = byFullSort(p, logits, allowed);
                assertThat(got).extracting(Sampler.Candidate::token).as("round %d, %s", round, p).isEqualTo(want.stream().map(Sampler.Candidate::token).toList());
                for (int i = 0; i < got.size(); i++) assertThat(got.get(i).probability()).isCloseTo(want.get(i).probability(), within(1e-9));
            }
        }
    }

    /** The definition, step by step: every unmasked candidate sorted (best first, lower id on ties), softmax, cuts, renormalise. */
    private static List<Sampler.Candidate> byFullSort(SamplingParams p, float[] logits, boolean[] allowed) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) if (allowed == null || allowed[i]) ids.add(i);
        ids.sort(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparing(i -> i));
        int pool = p.topK() > 0 ? Math.min(p.topK(), ids.size()) : ids.size();
        double max = logits[ids.getFirst()];
        double[] prob = new double[pool];
        double sum = 0;
        for (int i = 0; i < pool; i++) sum += prob[i] = Math.exp((logits[ids.get(i)] - max) / p.temperature());
        for (int i = 0; i < pool; i++) prob[i] /= sum;
        int keep = pool;
        double cumulative = 0;
        for (int i = 0; i < pool && p.topP() < 1f; i++) {
            if ((cumulative += prob[i]) >= p.topP()) {
                keep = i + 1;
                break;
            }
        }
        int k = 1;
        while (k < keep && prob[k] >= p.minP() * prob[0]) k++;
        double kept = Arrays.stream(prob, 0, k).sum();
        List<Sampler.Candidate> out = new ArrayList<>();
        for (int i = 0; i < k; i++) out.add(new Sampler.Candidate(ids.get(i), prob[i] / kept));
        return out;
    }

    @Test
    void selectingTheSmallestPutsThemFirst() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(2_000), k = 1 + random.nextInt(n);
            long[] a = random.longs(n).distinct().toArray();
            n = a.length;
            k = Math.min(k, n);
            long[] sorted = a.clone();
            Arrays.sort(sorted);
            Sampler.selectSmallest(a, n, k);
            long[] first = Arrays.copyOf(a, k);
            Arrays.sort(first);
            assertThat(first).isEqualTo(Arrays.copyOf(sorted, k));
        }
    }

    @Test
    void aFullyMaskedRowIsAnErrorToSampleButStillGivesADraft() {
        boolean[] none = new boolean[LOGITS.length];
        for (SamplingParams p : new SamplingParams[] {PLAIN, SamplingParams.GREEDY}) {
            assertThatThrownBy(() -> new Sampler(p).sample(LOGITS, new int[0], 0, none)).hasMessageContaining("every token is masked");
        }
        assertThat(new Sampler(PLAIN).mostLikely(LOGITS, new int[0], 0, none)).isZero(); // rejected when verified
    }
}
