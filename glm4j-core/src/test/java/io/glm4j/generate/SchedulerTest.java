package io.glm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.glm4j.Glm4jException;
import io.glm4j.fixtures.Fixtures;
import io.glm4j.fixtures.Golden;
import io.glm4j.model.KvCacheType;
import io.glm4j.tensor.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    static LoadedModel model;

    @BeforeAll
    static void load() {
        model = LoadedModel.open(Fixtures.model("F32"), WorkerPool.shared());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static GenerationRequest greedy(int[] prompt, int n) {
        return new GenerationRequest(prompt, SamplingParams.GREEDY, n, List.of(), true, 0);
    }

    @Test
    void fourRequestsBatchedTogetherEachGetLlamaCppsGreedyContinuation() throws Exception {
        List<Golden.Prompt> prompts = Fixtures.golden("F32").prompts();
        try (Scheduler scheduler = new Scheduler(model, 4, 128, KvCacheType.F32, 8)) {
            List<Scheduler.Job> jobs = new ArrayList<>();
            List<StringBuilder> streamed = new ArrayList<>();
            for (Golden.Prompt p : prompts) {
                StringBuilder text = new StringBuilder();
                streamed.add(text);
                jobs.add(scheduler.submit(greedy(p.tokens(), 24), text::append));
            }
            for (int i = 0; i < prompts.size(); i++) {
                Generator.Result r = jobs.get(i).result().get(60, TimeUnit.SECONDS);
                assertThat(r.tokens()).as(prompts.get(i).name()).containsExactly(prompts.get(i).greedy());
                assertThat(streamed.get(i).toString()).isEqualTo(r.text());
            }
            assertThat(scheduler.stats().generatedTokens()).isEqualTo(4 * 24);
        }
    }

    @Test
    void speculativeAndPlainRequestsShareBatchesAndKeepTheirOutput() throws Exception {
        List<Golden.Prompt> prompts = Fixtures.golden("F32").prompts();
        SamplingParams favoured = SamplingParams.GREEDY.withLogitBias(Map.of(300, 30f, 301, 30f, 302, 30f));
        try (Scheduler scheduler = new Scheduler(model, 4, 128, KvCacheType.F32, 8, new Scheduler.Drafting(2, 0))) {
            List<Scheduler.Job> jobs = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                jobs.add(scheduler.submit(greedy(prompts.get(i).tokens(), 24), text -> {}, i % 2 == 0));
            }
            Scheduler.Job steered = scheduler.submit(new GenerationRequest(prompts.get(0).tokens(), favoured, 40, List.of(), true, 0), text -> {}, true);
            for (int i = 0; i < prompts.size(); i++) {
                Generator.Result r = jobs.get(i).result().get(60, TimeUnit.SECONDS);
                assertThat(r.tokens()).as(prompts.get(i).name()).containsExactly(prompts.get(i).greedy());
                assertThat(r.speculation().drafted() > 0).isEqualTo(i % 2 == 0);
            }
            Generator.Result r = steered.result().get(60, TimeUnit.SECONDS);
            Session alone = new Session(model.model(), model.model().newCache(KvCacheType.F32, 128, 1), 0);
            int[] plain = new Generator(model).generate(alone, new GenerationRequest(prompts.get(0).tokens(), favoured, 40, List.of(), true, 0),
                    text -> {}, () -> false).tokens();
            assertThat(r.tokens()).containsExactly(plain);
            assertThat(r.speculation().accepted()).isPositive();
        }
    }

    @Test
    void moreRequestsThanSlotsWaitTheirTurn() throws Exception {
        Golden.Prompt p = Fixtures.golden("F32").prompts().get(2);
        try (Scheduler scheduler = new Scheduler(model, 2, 64, KvCacheType.F32, 8)) {
            List<Scheduler.Job> jobs = new ArrayList<>();
            for (int i = 0; i < 6; i++) jobs.add(scheduler.submit(greedy(p.tokens(), 10), text -> {}));
            for (Scheduler.Job job : jobs) {
                assertThat(job.result().get(60, TimeUnit.SECONDS).tokens()).containsExactly(java.util.Arrays.copyOf(p.greedy(), 10));
            }
        }
    }

    @Test
    void aFullQueueRefusesAndACancelledJobFreesItsSlot() throws Exception {
        // EOG ids biased away so the first request runs until cancelled.
        SamplingParams endless = SamplingParams.GREEDY.withLogitBias(Map.of(568, Float.NEGATIVE_INFINITY, 575, Float.NEGATIVE_INFINITY, 577, Float.NEGATIVE_INFINITY));
        try (Scheduler scheduler = new Scheduler(model, 1, 4000, KvCacheType.F32, 1)) {
            CountDownLatch started = new CountDownLatch(1);
            Scheduler.Job first = scheduler.submit(new GenerationRequest(new int[] {570, 572}, endless, 100_000, List.of(), false, 0), text -> started.countDown());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            Scheduler.Job waiting = scheduler.submit(greedy(new int[] {570, 572}, 3), text -> {});
            assertThatThrownBy(() -> scheduler.submit(greedy(new int[] {570}, 3), text -> {})).isInstanceOf(Scheduler.Busy.class);
            first.cancel();
            assertThat(first.result().get(30, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(waiting.result().get(30, TimeUnit.SECONDS).tokens()).hasSize(3);
        }
    }

    @Test
    void theNextTurnOfAConversationReusesItsSlotsCache() throws Exception {
        Golden.Prompt p = Fixtures.golden("F32").prompts().get(1);
        try (Scheduler scheduler = new Scheduler(model, 2, 256, KvCacheType.F32, 4)) {
            Generator.Result first = scheduler.submit(greedy(p.tokens(), 4), text -> {}).result().get(30, TimeUnit.SECONDS);
            int[] next = GeneratorTest.concat(p.tokens(), first.tokens(), new int[] {575, 198, 300});
            Generator.Result second = scheduler.submit(greedy(next, 4), text -> {}).result().get(30, TimeUnit.SECONDS);
            assertThat(second.reusedTokens()).isGreaterThanOrEqualTo(p.tokens().length);
        }
    }

    @Test
    void aPromptThatCannotFitIsRefusedAtOnce() {
        try (Scheduler scheduler = new Scheduler(model, 1, 8, KvCacheType.F32, 1)) {
            assertThatThrownBy(() -> scheduler.submit(greedy(Fixtures.golden("F32").prompts().get(0).tokens(), 1), text -> {}))
                    .isInstanceOf(Glm4jException.class).hasMessageContaining("context of 8");
        }
    }
}
