package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.glm4j.fixtures.Fixtures;
import io.glm4j.grammar.GrammarConstraint;
import io.glm4j.grammar.schema.JsonSchemaGrammar;
import io.glm4j.grammar.schema.SchemaCases;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.synth.DemoModel;
import io.glm4j.tensor.WorkerPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random-weight models write nonsense, but under a schema's grammar every output must still be
 * valid: 100 samples at temperature 1 per schema, on the llama.cpp fixture and on the demo model,
 * each checked by an independent JSON-schema validator. Random models rarely close a string, so
 * some outputs reach the 400-token limit; near it the constraint keeps only tokens that still let
 * the output finish, so those are complete too.
 */
class StructuredGenerationTest {
    static final int SAMPLES = 100;
    static LoadedModel fixture, demo;

    @BeforeAll
    static void load() {
        fixture = LoadedModel.open(Fixtures.model("F32"), WorkerPool.shared());
        demo = LoadedModel.open(DemoModel.path(WorkerPool.shared()), WorkerPool.shared());
    }

    @AfterAll
    static void close() {
        fixture.close();
        demo.close();
    }

    static List<SchemaCases> cases() {
        return SchemaCases.all();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everySampleValidatesOnTheFixture(SchemaCases c) throws Exception {
        everySampleValidates(fixture, c);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everySampleValidatesOnTheDemoModel(SchemaCases c) throws Exception {
        everySampleValidates(demo, c);
    }

    private static void everySampleValidates(LoadedModel model, SchemaCases c) throws Exception {
        String gbnf = JsonSchemaGrammar.of(c.schema());
        int[] prompt = model.tokenizer().encode("[gMASK]<sop><|user|>\nAnswer in JSON.<|assistant|>\n<think></think>\n", true);
        List<CompletableFuture<Generator.Result>> results = new ArrayList<>();
        try (Scheduler scheduler = new Scheduler(model, 8, 2048, KvCacheType.F32, SAMPLES)) {
            for (int i = 0; i < SAMPLES; i++) {
                GenerationRequest request = new GenerationRequest(prompt, SamplingParams.GLM45_DEFAULTS.withTemperature(1f).withTopP(1f)
                        .withSeed((long) i), 400, List.of(), false, 0, GrammarConstraint.of(gbnf, model.tokenizer()));
                results.add(scheduler.submit(request, text -> {}).result());
            }
            int longest = 0;
            for (CompletableFuture<Generator.Result> f : results) {
                Generator.Result r = f.get();
                longest = Math.max(longest, r.tokens().length);
                assertThat(r.finishReason()).as("%s: %s", c.name(), r.text()).isEqualTo(FinishReason.STOP);
                assertThat(c.problems(r.text())).as("%s: %s", c.name(), r.text()).isEmpty();
            }
            System.out.printf("%s on %s: longest %d tokens, e.g. %s%n", c.name(), model.path().getFileName(), longest, results.getFirst().get().text());
        }
    }
}
