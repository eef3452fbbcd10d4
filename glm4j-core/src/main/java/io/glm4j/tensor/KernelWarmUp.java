package io.glm4j.tensor;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs every matrix kernel a model will use until the JIT has compiled it, on a few rows of each
 * kind of matrix, so that the first request does not pay for it. Until C2 compiles them, the
 * Vector API kernels run as Java code that boxes every vector: on a 3-layer GLM-4.5-Air slice
 * (Q4_K_M, two cores) the first short request to a fresh server took 17 s, the next ones 2.5–2.7 s.
 * The work depends on the kernels' code, not on the model's size: each kind of matrix (type,
 * columns, storage) is sampled once, by its first rows, and multiplied with every token count
 * that picks a different kernel form, alone and as an expert's share of a larger batch, round
 * after round until the JIT has compiled nothing for a while.
 */
public final class KernelWarmUp {
    /** Groups of rows sampled from each kind of matrix: four, for the single-token form that reads four groups at once. */
    private static final int SAMPLE_GROUPS = 4;
    /** Token counts that reach every kernel form: one token, fours with one to three left over, float tiles with a short last block. */
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 16, 17};
    /** The model batch an expert's share of tokens is taken from (large enough to be tiled). */
    private static final int BATCH = 64;
    /** Rounds run before the compilers' quiet is looked for (and all that run where the JVM does not time its compilations). */
    private static final int MIN_ROUNDS = 20;
    /** How long the JIT must have compiled nothing for the kernels to count as compiled. */
    private static final long QUIET_NANOS = 500_000_000L;
    /** The warm-up stops after this long whatever the JIT does. */
    private static final long MAX_NANOS = 60_000_000_000L;

    private KernelWarmUp() {}

    /** One sample, its first rows, of each kind of matrix among {@code weights}: type, columns and whether it is repacked or scaled. */
    static List<Tensor> samples(Collection<Tensor> weights) {
        Map<String, Tensor> kinds = new LinkedHashMap<>();
        for (Tensor w : weights) {
            String kind = w.type() + " " + w.cols() + (w.groups() != null ? " groups" : "") + (w.scales() != null ? " scaled" : "");
            kinds.computeIfAbsent(kind, k -> w.firstRows(Math.min(w.rows(), SAMPLE_GROUPS * RowGroupKernel.ROWS)));
        }
        return new ArrayList<>(kinds.values());
    }

    /** Multiplies a sample of each kind of matrix among {@code weights} with every token count until the kernels are compiled; returns the rounds run. */
    public static int run(WorkerPool pool, Collection<Tensor> weights) {
        List<Tensor> samples = samples(weights);
        int maxTokens = TOKENS[TOKENS.length - 1];
        int cols = samples.stream().mapToInt(Tensor::cols).max().orElse(0), rows = samples.stream().mapToInt(Tensor::rows).max().orElse(0);
        float[] x = new float[maxTokens * cols], out = new float[maxTokens * rows];
        Random random = new Random(0);
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime(), quietSince = start, compiled = timed ? jit.getTotalCompilationTime() : 0;
        for (int round = 1; ; round++) {
            for (Tensor w : samples) multiplyAll(pool, w, x, out);
            long now = System.nanoTime();
            if (timed && jit.getTotalCompilationTime() != compiled) {
                compiled = jit.getTotalCompilationTime();
                quietSince = now;
            }
            boolean settled = round >= MIN_ROUNDS && (!timed || now - quietSince >= QUIET_NANOS);
            if (settled || now - start >= MAX_NANOS) return round;
        }
    }

    /** {@code w} times one token each of two matrices (a decode step's experts), then every token count, alone and as a batch's share. */
    private static void multiplyAll(WorkerPool pool, Tensor w, float[] x, float[] out) {
        MatMul.multiplyEach(pool, new Tensor[] {w, w}, new float[][] {x, x}, new float[][] {out, out});
        for (int tokens : TOKENS) {
            MatMul.multiply(pool, w, x, tokens, out);
            if (tokens > 1 && tokens < MatMul.TILED_FROM_TOKENS) MatMul.multiply(pool, w, x, tokens, BATCH, out);
        }
    }
}
