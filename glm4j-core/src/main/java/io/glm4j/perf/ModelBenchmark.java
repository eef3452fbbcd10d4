package io.glm4j.perf;

import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import io.glm4j.model.StageTimes;
import java.util.Random;

/**
 * llama-bench's two tests on one model: prompt processing (pp: {@code n} random tokens evaluated
 * as one batch, logits for the last) and text generation (tg: {@code n} random tokens fed one at a
 * time, logits for each), both on a cache holding {@code depth} earlier positions (llama-bench's
 * {@code -d}; 0 is an empty cache). Each test runs untimed as warm-up, then {@code reps} timed
 * repetitions, each on the cache cut back to its depth. The depth is filled once per test, untimed,
 * in batches of {@link #DEPTH_BATCH} tokens (llama-bench fills it again before each repetition; a
 * pass costs the same over any cached positions of that number). llama-bench warms up with one
 * run of each; a JVM needs its kernels JIT-compiled first, which for pp still goes on in the
 * background during its first run (air-slice3 Q4_0, pp64: 1090 ms for the first timed run after
 * one warm-up, 720–810 ms for the next seven), so pp warms up with two runs and tg with one.
 */
public final class ModelBenchmark {
    private static final int SEQUENCE = 0;
    private static final int PROMPT_WARM_UP_RUNS = 2;
    private static final int DEPTH_BATCH = 512;

    private final Glm4MoeModel model;
    private final KvCacheType cacheType;
    private final int depth;
    private final Random random;

    public ModelBenchmark(Glm4MoeModel model, KvCacheType cacheType, long seed) {
        this(model, cacheType, 0, seed);
    }

    /** Tests that run after {@code depth} positions of random tokens are in the cache. */
    public ModelBenchmark(Glm4MoeModel model, KvCacheType cacheType, int depth, long seed) {
        if (depth < 0) throw new IllegalArgumentException("depth must not be negative, got " + depth);
        this.model = model;
        this.cacheType = cacheType;
        this.depth = depth;
        this.random = new Random(seed);
    }

    /** Positions in the cache before each test starts. */
    public int depth() {
        return depth;
    }

    /** pp: {@code tokens} prompt tokens per repetition, evaluated in one forward pass. */
    public Throughput prompt(int tokens, int reps) {
        return prompt(tokens, reps, null);
    }

    /** As {@link #prompt(int, int)}; the timed repetitions' stage times are added to {@code stages} unless it is null. */
    public Throughput prompt(int tokens, int reps, StageTimes stages) {
        KvCache cache = filledCache(tokens);
        for (int warmUp = 0; warmUp < PROMPT_WARM_UP_RUNS; warmUp++) {
            cache.truncate(SEQUENCE, depth);
            prefill(cache, depth, tokens);
        }
        return Throughput.of(tokens, timedRuns(cache, reps, stages, () -> prefill(cache, depth, tokens)));
    }

    /** tg: {@code tokens} single-token forward passes per repetition. */
    public Throughput generation(int tokens, int reps) {
        return generation(tokens, reps, null);
    }

    /** As {@link #generation(int, int)}; the timed repetitions' stage times are added to {@code stages} unless it is null. */
    public Throughput generation(int tokens, int reps, StageTimes stages) {
        KvCache cache = filledCache(tokens);
        generate(cache, tokens);
        return Throughput.of(tokens, timedRuns(cache, reps, stages, () -> generate(cache, tokens)));
    }

    /** A cache for {@code depth + tokens} positions with its first {@code depth} filled. */
    private KvCache filledCache(int tokens) {
        if ((long) depth + tokens > model.config().contextLength()) {
            throw new IllegalArgumentException("depth " + depth + " and " + tokens + " tokens need more than the model's context of "
                    + model.config().contextLength());
        }
        KvCache cache = model.newCache(cacheType, depth + tokens, 1);
        for (int start = 0; start < depth; start += DEPTH_BATCH) prefill(cache, start, Math.min(DEPTH_BATCH, depth - start));
        return cache;
    }

    /** Nanoseconds of each of {@code reps} runs, each on the cache cut back to the depth, their stages timed into {@code stages} (if not null). */
    private long[] timedRuns(KvCache cache, int reps, StageTimes stages, Runnable run) {
        long[] nanos = new long[reps];
        model.timeStagesInto(stages);
        try {
            for (int r = 0; r < reps; r++) {
                cache.truncate(SEQUENCE, depth);
                long start = System.nanoTime();
                run.run();
                nanos[r] = System.nanoTime() - start;
            }
        } finally {
            model.timeStagesInto(null);
        }
        return nanos;
    }

    private void prefill(KvCache cache, int start, int tokens) {
        int[] ids = new int[tokens];
        for (int i = 0; i < tokens; i++) ids[i] = randomToken();
        model.forward(Batch.of(SEQUENCE, start, ids, false), cache);
    }

    /** One token at a time from the cache's end (the depth). */
    private void generate(KvCache cache, int tokens) {
        float[] logits = new float[model.config().vocabSize()]; // reused, as a decode loop does
        int start = cache.length(SEQUENCE);
        for (int i = 0; i < tokens; i++) model.forward(Batch.of(SEQUENCE, start + i, new int[] {randomToken()}, false), cache, logits);
    }

    private int randomToken() {
        return random.nextInt(model.config().vocabSize());
    }
}
