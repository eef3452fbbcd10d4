package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SpeculativeGeneratorTest {
    static LoadedModel model;

    @BeforeAll
    static void load() {
        model = LoadedModel.open(Fixtures.model("F32"), WorkerPool.shared());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Session session(int ctx) {
        return new Session(model.model(), model.model().newCache(KvCacheType.F32, ctx, 1), 0);
    }

    static KvCache nextnCache(int ctx) {
        return model.model().newNextNCache(KvCacheType.F32, ctx, 1);
    }

    static Generator.Result speculate(int drafts, GenerationRequest request, int ctx) {
        return new SpeculativeGenerator(model, drafts, nextnCache(ctx), 0).generate(session(ctx), request, text -> {}, () -> false);
    }

    static GenerationRequest request(int[] prompt, SamplingParams sampling, int n) {
        return new GenerationRequest(prompt, sampling, n, List.of(), true, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void greedySpeculationReproducesLlamaCppsContinuations(int drafts) {
        for (Golden.Prompt p : Fixtures.golden("F32").prompts()) {
            Generator.Result r = speculate(drafts, request(p.tokens(), SamplingParams.GREEDY, 24), 128);
            assertThat(r.tokens()).as("%s with %d drafts", p.name(), drafts).containsExactly(p.greedy());
            assertThat(r.speculation().drafted()).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void greedyOutputIsIdenticalWithAndWithoutSpeculationOver256Tokens(int drafts) {
        for (Golden.Prompt p : Fixtures.golden("F32").prompts()) {
            GenerationRequest r = request(p.tokens(), SamplingParams.GREEDY, 256);
            int[] plain = new Generator(model).generate(session(512), r, text -> {}, () -> false).tokens();
            Generator.Result spec = speculate(drafts, r, 512);
            assertThat(spec.tokens()).as(p.name()).containsExactly(plain);
            System.out.printf("%s drafts=%d acceptance %.2f (%d/%d)%n", p.name(), drafts, spec.speculation().acceptanceRate(), spec.speculation().accepted(), spec.speculation().drafted());
        }
    }

    /**
     * The random-weight NextN head almost never agrees with the main model, so drafts are steered
     * with logit bias: one forced token (every draft accepted) and two favoured tokens (drafts
     * accepted and rejected in turn). Output must equal plain decoding either way.
     */
    @Test
    void acceptedAndRejectedDraftsKeepTheOutputOfPlainDecoding() {
        int[] prompt = Fixtures.golden("F32").prompts().get(0).tokens();
        SamplingParams forced = SamplingParams.GREEDY.withLogitBias(Map.of(300, 1000f));
        Generator.Result all = speculate(3, request(prompt, forced, 40), 128);
        assertThat(all.tokens()).containsOnly(300).hasSize(40);
        assertThat(all.speculation().acceptanceRate()).isGreaterThan(0.9);
        assertThat(all.speculation().meanAcceptedLength()).isGreaterThan(2.5);

        SamplingParams favoured = SamplingParams.GREEDY.withLogitBias(Map.of(300, 30f, 301, 30f, 302, 30f));
        for (int drafts = 1; drafts <= 3; drafts++) {
            GenerationRequest r = request(prompt, favoured, 60);
            int[] plain = new Generator(model).generate(session(128), r, text -> {}, () -> false).tokens();
            Generator.Result spec = speculate(drafts, r, 128);
            assertThat(spec.tokens()).as("%d drafts", drafts).containsExactly(plain);
            assertThat(spec.speculation().accepted()).isPositive().isLessThan(spec.speculation().drafted());
        }
    }

    @Test
    void draftingStopsWhenItDoesNotPayOff() {
        int[] prompt = Fixtures.golden("F32").prompts().get(0).tokens();
        GenerationRequest r = request(prompt, SamplingParams.GREEDY, 64);
        Generator.Result auto = new SpeculativeGenerator(model, 1, nextnCache(128), 0, 0.3).generate(session(128), r, text -> {}, () -> false);
        assertThat(auto.speculation().drafted()).isEqualTo(SpeculativeGenerator.PROBATION); // random weights: nothing accepted
        assertThat(auto.tokens()).containsExactly(new Generator(model).generate(session(128), r, text -> {}, () -> false).tokens());
    }

    @Test
    void aFullContextAndAStopEndSpeculationCleanly() {
        int[] prompt = Fixtures.golden("F32").prompts().get(2).tokens(); // 8 tokens
        SamplingParams forced = SamplingParams.GREEDY.withLogitBias(Map.of(300, 1000f));
        Generator.Result r = speculate(3, request(prompt, forced, 100), 12);
        assertThat(r.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
        assertThat(r.tokens()).hasSize(5); // positions 8..11 fed, the 5th sampled but not fed
        int[] plain = new Generator(model).generate(session(12), request(prompt, forced, 100), text -> {}, () -> false).tokens();
        assertThat(r.tokens()).containsExactly(plain);
    }

    @Test
    void theDemoModelDecodesTheSameWithAndWithoutSpeculation() {
        try (LoadedModel demo = LoadedModel.open(DemoModel.path(WorkerPool.shared()), WorkerPool.shared())) {
            int[] prompt = demo.tokenizer().encode("[gMASK]<sop><|user|>\nHello<|assistant|>", true);
            GenerationRequest r = request(prompt, SamplingParams.GREEDY, 256);
            Session plainSession = new Session(demo.model(), demo.model().newCache(KvCacheType.F32, 512, 1), 0);
            int[] plain = new Generator(demo).generate(plainSession, r, text -> {}, () -> false).tokens();
            Session specSession = new Session(demo.model(), demo.model().newCache(KvCacheType.F32, 512, 1), 0);
            KvCache nextn = demo.model().newNextNCache(KvCacheType.F32, 512, 1);
            Generator.Result spec = new SpeculativeGenerator(demo, 2, nextn, 0).generate(specSession, r, text -> {}, () -> false);
            assertThat(spec.tokens()).containsExactly(plain).hasSize(256);
        }
    }

    /**
     * Under a grammar, drafts are taken from the masked distribution: where the grammar leaves one
     * token the draft is that token and is accepted, although the random NextN head agrees with
     * nothing on its own. The output is still exactly plain constrained decoding's.
     */
    @Test
    void constrainedOutputIsTheSameWithSpeculationAndDraftsFollowTheGrammar() {
        int[] prompt = Fixtures.golden("F32").prompts().get(1).tokens();
        String gbnf = "root ::= \"{\\\"answer\\\": \\\"\" (\"yes\" | \"no\") \"\\\", \\\"count\\\": \" [0-9]{1,3} \"}\"\n";
        int accepted = 0;
        for (long seed = 1; seed <= 5; seed++) {
            GenerationRequest r = request(prompt, SamplingParams.GLM45_DEFAULTS.withTemperature(1f).withSeed(seed), 64)
                    .withConstraint(io.glm4j.grammar.GrammarConstraint.of(gbnf, model.tokenizer()));
            Generator.Result plain = new Generator(model).generate(session(256), r, text -> {}, () -> false);
            Generator.Result spec = speculate(3, r, 256);
            assertThat(spec.tokens()).as("seed %d", seed).containsExactly(plain.tokens());
            assertThat(spec.text()).matches("\\{\"answer\": \"(yes|no)\", \"count\": [0-9]{1,3}}");
            assertThat(spec.finishReason()).isEqualTo(FinishReason.STOP);
            accepted += spec.speculation().accepted();
        }
        assertThat(accepted).isPositive();
    }

    @Test
    void seededSamplingGivesTheSameTokensAsPlainDecoding() {
        int[] prompt = Fixtures.golden("F32").prompts().get(1).tokens();
        for (long seed = 1; seed <= 5; seed++) {
            GenerationRequest r = request(prompt, SamplingParams.GLM45_DEFAULTS.withTemperature(1f).withSeed(seed), 64);
            int[] plain = new Generator(model).generate(session(256), r, text -> {}, () -> false).tokens();
            assertThat(speculate(2, r, 256).tokens()).as("seed %d", seed).containsExactly(plain);
        }
    }

    /**
     * Statistical check of the accept / reject rule: the second token (drafted, then verified) must
     * follow the model's conditional distribution given the first. Expected counts sum the exact
     * p(second | first) of each sample; a chi-square statistic over the likely tokens must stay small.
     */
    @Test
    void speculativeSamplingKeepsTheDistribution() {
        int[] prompt = {570, 572, 51, 71, 68};
        SamplingParams sampling = SamplingParams.GLM45_DEFAULTS.withTemperature(1.5f).withTopP(1f);
        int vocab = model.model().config().vocabSize();
        double[] expected = new double[vocab];
        int[] observed = new int[vocab];
        int samples = 600;
        for (int s = 0; s < samples; s++) {
            Generator.Result r = speculate(1, request(prompt, sampling.withSeed(1000L + s), 2), 32);
            int first = r.tokens()[0];
            observed[r.tokens()[1]]++;
            Session conditional = session(32);
            conditional.prefill(GeneratorTest.concat(prompt, new int[] {first}));
            float[] logits = conditional.prefill(GeneratorTest.concat(prompt, new int[] {first})).logits();
            for (Sampler.Candidate c : new Sampler(sampling).distribution(logits, new int[0], 0, null)) expected[c.token()] += c.probability();
        }
        double chi2 = 0;
        int cells = 0;
        double rest = 0, restObserved = 0;
        for (int t = 0; t < vocab; t++) {
            if (expected[t] >= 5) {
                chi2 += Math.pow(observed[t] - expected[t], 2) / expected[t];
                cells++;
            } else {
                rest += expected[t];
                restObserved += observed[t];
            }
        }
        if (rest > 0) {
            chi2 += Math.pow(restObserved - rest, 2) / rest;
            cells++;
        }
        // 99.9% quantile of chi-square with (cells - 1) degrees of freedom, by the Wilson–Hilferty approximation.
        double k = cells - 1;
        double limit = k * Math.pow(1 - 2 / (9 * k) + 3.09 * Math.sqrt(2 / (9 * k)), 3);
        System.out.printf("chi2 %.1f over %d cells (limit %.1f)%n", chi2, cells, limit);
        assertThat(cells).isGreaterThan(5);
        assertThat(chi2).isLessThan(limit);
    }
}
