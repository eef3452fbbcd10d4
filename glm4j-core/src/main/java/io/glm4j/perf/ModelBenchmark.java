package io.glm4j.perf;

import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.StageTimes;
import java.util.Random;

/**
 * llama-bench's two tests on one model: prompt processing (pp: {@code n} random tokens evaluated
 * as one batch on an empty cache, logits for the last) and text generation (tg: {@code n} random
 * tokens fed one at a time from an empty cache, logits for each). Each test runs untimed as
 * warm-up, then {@code reps} timed repetitions, each on a cleared cache. llama-bench warms up with
 * one run of each; a JVM needs its kernels JIT-compiled first, which for pp still goes on in the
 * background during its first run (air-slice3 Q4_0, pp64: 1090 ms for the first timed run after
 * one warm-up, 720–810 ms for the next seven), so pp warms up with two runs and tg with one.
 */
public final class ModelBenchmark {
    private static final int SEQUENCE = 0;
    private static final int PROMPT_WARM_UP_RUNS = 2;

    private final Glm4MoeModel model;
    private final KvCacheType cacheType;
    private final Random random;

    public ModelBenchmark(Glm4MoeModel model, KvCacheType cacheType, long seed) {
        this.model = model;
        this.cacheType = cacheType;
        this.random = new Random(seed);
    }

    /** pp: {@code tokens} prompt tokens per repetition, evaluated in one forward pass. */
    public Throughput prompt(int tokens, int reps) {
        return prompt(tokens, reps, null);
    }

    /** As {@link #prompt(int, int)}; the timed repetitions' stage times are added to {@code stages} unless it is null. */
    public Throughput prompt(int tokens, int reps, StageTimes stages) {
        KvCache cache = model.newCache(cacheType, tokens, 1);
        for (int warmUp = 0; warmUp < PROMPT_WARM_UP_RUNS; warmUp++) {
            cache.truncate(SEQUENCE, 0);
            prefill(cache, tokens);
        }
        return Throughput.of(tokens, timedRuns(cache, reps, stages, () -> prefill(cache, tokens)));
    }

    /** tg: {@code tokens} single-token forward passes per repetition. */
    public Throughput generation(int tokens, int reps) {
        return generation(tokens, reps, null);
    }

    /** As {@link #generation(int, int)}; the timed repetitions' stage times are added to {@code stages} unless it is null. */
    public Throughput generation(int tokens, int reps, StageTimes stages) {
        KvCache cache = model.newCache(cacheType, tokens, 1);
        generate(cache, tokens);
        return Throughput.of(tokens, timedRuns(cache, reps, stages, () -> generate(cache, tokens)));
    }

    /** Nanoseconds of each of {@code reps} runs, each on a cleared cache, their stages timed into {@code stages} (if not null). */
    private long[] timedRuns(KvCache cache, int reps, StageTimes stages, Runnable run) {
        long[] nanos = new long[reps];
        model.timeStagesInto(stages);
        try {
            for (int r = 0; r < reps; r++) {
                cache.truncate(SEQUENCE, 0);
                long start = System.nanoTime();
                run.run();
                nanos[r] = System.nanoTime() - start;
            }
        } finally {
            model.timeStagesInto(null);
        }
        return nanos;
    }

    private void prefill(KvCache cache, int tokens) {
        int[] ids = new int[tokens];
        for (int i = 0; i < tokens; i++) ids[i] = randomToken();
        model.forward(Batch.of(SEQUENCE, 0, ids, false), cache);
    }

    private void generate(KvCache cache, int tokens) {
        float[] logits = new float[model.config().vocabSize()]; // reused, as a decode loop does
        for (int i = 0; i < tokens; i++) model.forward(Batch.of(SEQUENCE, i, new int[] {randomToken()}, false), cache, logits);
    }

    private int randomToken() {
        return random.nextInt(model.config().vocabSize());
    }
}
