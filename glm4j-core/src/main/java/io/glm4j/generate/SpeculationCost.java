package io.glm4j.generate;

import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import io.glm4j.model.KvCacheType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What MTP speculation costs on a model: the time of one decode step, of one verification pass of
 * k+1 tokens and of one NextN draft step, measured after a prompt; and the speed-up they imply
 * for an acceptance rate {@code a}, if each draft is accepted independently with probability a:
 * a round yields {@code (1 - a^(k+1)) / (1 - a)} tokens and costs {@code verify(k) + k · draft}.
 */
public final class SpeculationCost {
    private SpeculationCost() {}

    /** Mean seconds per call. */
    public record Costs(double decode, double[] verify, double draft) {
        /** Tokens per second with k drafts at acceptance {@code a}, relative to plain decoding. */
        public double speedup(int k, double a) {
            double tokens = a >= 1 ? k + 1 : (1 - Math.pow(a, k + 1)) / (1 - a);
            return tokens * decode / (verify[k - 1] + k * draft);
        }
    }

    /** Measures on random tokens after a {@code promptLength}-token prompt, {@code reps} times each. */
    public static Costs measure(Glm4MoeModel model, int promptLength, int reps, long seed) {
        Random random = new Random(seed);
        int vocab = model.config().vocabSize();
        int[] prompt = random.ints(promptLength, 0, vocab).toArray();
        int ctx = promptLength + 8;
        KvCache cache = model.newCache(KvCacheType.F16, ctx, 1);
        Glm4MoeModel.Output first = model.forward(Batch.of(0, 0, prompt, true), cache, true);
        KvCache nextn = model.newNextNCache(KvCacheType.F16, ctx, 1);
        int h = model.config().hiddenSize();
        float[] lastHidden = Arrays.copyOfRange(first.hidden(), (promptLength - 1) * h, promptLength * h);
        model.forwardNextN(Batch.of(0, 0, Arrays.copyOfRange(prompt, 1, promptLength), false),
                Arrays.copyOf(first.hidden(), (promptLength - 1) * h), nextn);

        double decode = time(reps, () -> {
            model.forward(Batch.of(0, promptLength, new int[] {random.nextInt(vocab)}, false), cache);
            cache.truncate(0, promptLength);
        });
        double[] verify = new double[3];
        for (int k = 1; k <= 3; k++) {
            int[] tokens = random.ints(k + 1, 0, vocab).toArray();
            verify[k - 1] = time(reps, () -> {
                model.forward(Batch.of(0, promptLength, tokens, true), cache, true);
                cache.truncate(0, promptLength);
            });
        }
        double draft = time(reps, () -> {
            model.forwardNextN(Batch.of(0, promptLength - 1, new int[] {random.nextInt(vocab)}, false), lastHidden, nextn);
            nextn.truncate(0, promptLength - 1);
        });
        return new Costs(decode, verify, draft);
    }

    private static double time(int reps, Runnable step) {
        step.run(); // warm-up
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            step.run();
            samples.add(System.nanoTime() - start);
        }
        return samples.stream().mapToLong(Long::longValue).average().orElse(0) / 1e9;
    }
}
