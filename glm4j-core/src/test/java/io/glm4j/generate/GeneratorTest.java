package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratorTest {
    static LoadedModel model;
    static Generator generator;

    @BeforeAll
    static void load() {
        model = LoadedModel.open(Fixtures.model("F32"), WorkerPool.shared());
        generator = new Generator(model);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    Session newSession(int context) {
        return new Session(model.model(), model.model().newCache(KvCacheType.F32, context, 1), 0);
    }

    static GenerationRequest greedy(int[] prompt, int n) {
        return new GenerationRequest(prompt, SamplingParams.GREEDY, n, List.of(), true, 0);
    }

    @Test
    void greedyDecodingReproducesLlamaCppsContinuations() {
        for (Golden.Prompt p : Fixtures.golden("F32").prompts()) {
            Generator.Result r = generator.generate(newSession(128), greedy(p.tokens(), 24), text -> {}, () -> false);
            assertThat(r.tokens()).as(p.name()).containsExactly(p.greedy());
            assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-glm45full-F32", "tiny-glm45group-F32"})
    void heldOutModelsToo(String stem) {
        Path dir = Path.of("glm4j-core/src/test/resources/io/glm4j/model/reference");
        Golden golden = Golden.load(dir.resolve(stem + ".golden.json"));
        try (LoadedModel heldOut = LoadedModel.open(dir.resolve(stem + ".gguf"), WorkerPool.shared())) {
            Generator g = new Generator(heldOut);
            for (Golden.Prompt p : golden.prompts()) {
                Session s = new Session(heldOut.model(), heldOut.model().newCache(KvCacheType.F32, 64, 1), 0);
                assertThat(g.generate(s, greedy(p.tokens(), 8), text -> {}, () -> false).tokens()).containsExactly(p.greedy());
            }
        }
    }

    @Test
    void aSessionReusesTheCommonPrefixAndGivesTheSameTokens() {
        Golden.Prompt p = Fixtures.golden("F32").prompts().get(1);
        Session session = newSession(256);
        Generator.Result first = generator.generate(session, greedy(p.tokens(), 5), text -> {}, () -> false);
        // The next turn's prompt: the old prompt, the answer, and more.
        int[] next = concat(p.tokens(), first.tokens(), new int[] {575, 198, 300});
        Generator.Result reused = generator.generate(session, greedy(next, 6), text -> {}, () -> false);
        Generator.Result fresh = generator.generate(newSession(256), greedy(next, 6), text -> {}, () -> false);
        assertThat(reused.reusedTokens()).isEqualTo(p.tokens().length + first.tokens().length - 1);
        assertThat(fresh.reusedTokens()).isZero();
        assertThat(reused.tokens()).containsExactly(fresh.tokens());
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        int[] prompt = Fixtures.golden("F32").prompts().get(0).tokens();
        SamplingParams sampling = SamplingParams.GLM45_DEFAULTS.withTemperature(1.2f).withSeed(7L);
        GenerationRequest request = new GenerationRequest(prompt, sampling, 16, List.of(), true, 0);
        int[] a = generator.generate(newSession(64), request, text -> {}, () -> false).tokens();
        int[] b = generator.generate(newSession(64), request, text -> {}, () -> false).tokens();
        int[] c = generator.generate(newSession(64), new GenerationRequest(prompt, sampling.withSeed(8L), 16, List.of(), true, 0),
                text -> {}, () -> false).tokens();
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void aStopStringEndsGenerationAndIsNotShown() {
        Golden.Prompt p = Fixtures.golden("F32").prompts().get(0);
        String full = generator.generate(newSession(128), greedy(p.tokens(), 24), text -> {}, () -> false).text();
        String stop = full.substring(10, 13);
        StringBuilder streamed = new StringBuilder();
        Generator.Result r = generator.generate(newSession(128),
                new GenerationRequest(p.tokens(), SamplingParams.GREEDY, 24, List.of(stop), true, 0), streamed::append, () -> false);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(streamed.toString()).isEqualTo(r.text());
    }

    @Test
    void streamedTextEqualsTheDecodedTokens() {
        Golden.Prompt p = Fixtures.golden("F32").prompts().get(3);
        StringBuilder streamed = new StringBuilder();
        List<Integer> tokens = new ArrayList<>();
        Generator.Result r = generator.generate(newSession(128), greedy(p.tokens(), 24), new Generator.Listener() {
            public void onText(String text) {
                streamed.append(text);
            }

            public void onToken(int token, TokenLogprob logprob) {
                tokens.add(token);
            }
        }, () -> false);
        assertThat(streamed.toString()).isEqualTo(model.tokenizer().decodeToString(r.tokens()));
        assertThat(tokens).containsExactly(Arrays.stream(r.tokens()).boxed().toArray(Integer[]::new));
    }

    @Test
    void endOfGenerationTokensStopUnlessIgnored() {
        int eot = 575; // <|user|>
        GenerationRequest forced = new GenerationRequest(new int[] {570, 572}, SamplingParams.GREEDY.withLogitBias(java.util.Map.of(eot, 1000f)), 5, List.of(), false, 0);
        Generator.Result r = generator.generate(newSession(16), forced, text -> {}, () -> false);
        assertThat(r.tokens()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void aFullContextEndsGenerationAndAnOversizedPromptIsAnError() {
        int[] prompt = Fixtures.golden("F32").prompts().get(2).tokens(); // 8 tokens
        Generator.Result r = generator.generate(newSession(10), greedy(prompt, 20), text -> {}, () -> false);
        assertThat(r.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
        assertThat(r.tokens()).hasSize(3);
        assertThatThrownBy(() -> generator.generate(newSession(4), greedy(prompt, 1), text -> {}, () -> false))
                .isInstanceOf(Glm4jException.class).hasMessageContaining("more than the context of 4");
    }

    @Test
    void cancellationStopsTheLoop() {
        int[] count = {0};
        Generator.Result r = generator.generate(newSession(64), greedy(new int[] {570, 572}, 20), text -> {}, () -> ++count[0] > 3);
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.tokens()).hasSize(3);
    }

    @Test
    void logprobsAreReportedPerToken() {
        GenerationRequest request = new GenerationRequest(new int[] {570, 572}, SamplingParams.GREEDY, 4, List.of(), true, 3);
        Generator.Result r = generator.generate(newSession(16), request, text -> {}, () -> false);
        assertThat(r.logprobs()).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(r.logprobs().get(i).token()).isEqualTo(r.tokens()[i]);
            assertThat(r.logprobs().get(i).top()).hasSize(3);
            assertThat(r.logprobs().get(i).top().getFirst().token()).isEqualTo(r.tokens()[i]); // greedy picks the top one
        }
    }

    static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
