package io.glm4j.tensor;

import io.glm4j.Glm4jException;
import java.util.ArrayList;
import java.util.List;

/**
 * Weight × activations for a batch of rows: {@code out[t][o] = Σ_i W[o][i] · x[t][i]}, with
 * {@code W} stored in any supported type and {@code x} float32, rows packed back to back.
 *
 * <p>The activations are first rounded as llama.cpp rounds them for that weight type
 * ({@link ActivationFormat}), once per call, into buffers the calling thread keeps. Output rows
 * are then split over the worker pool; each weight row is read from memory once for the whole
 * batch: for a few tokens by one int8 (or float) dot product per token and row, for more by
 * {@link TiledMatMul}. A weight that also has {@link RowGroups} is read through them instead,
 * four groups of one token or two groups and up to four tokens per kernel call, at every batch
 * size for Q5_0 (and Q4_0 and Q4_K with AVX-512); for Q8_0, Q6_K (and Q4_0 and Q4_K with AVX2) up
 * to {@link RowGroupKernel.Tiling#tiledFromTokens}, then through tiles decoded from the groups
 * ({@link GroupTiledMatMul}), so a repacked weight never reads its stored rows. A few tokens of a
 * large batch against long rows without groups go through the type's {@link SmallBatchKernel}
 * where it has one (Q8_0).
 */
public final class MatMul {
    private static final ThreadLocal<QuantizedActivations> ACTIVATIONS = ThreadLocal.withInitial(QuantizedActivations::new);
    private static final ThreadLocal<List<QuantizedActivations>> EACH_ACTIVATIONS = ThreadLocal.withInitial(ArrayList::new);
    /**
     * From this many tokens on, weights are decoded once into float tiles ({@link TiledMatMul}),
     * which beats one int8 dot per token and row from 3–4 tokens for most types
     * ({@link QuantizedDot#tiledFromTokens}). Smaller model batches — speculative verification of a
     * few drafts, a few sequences decoding together — keep the per-token dot, so each token's
     * result is bit for bit what a single-token step gives (greedy speculative decoding then
     * reproduces plain decoding exactly); only inside larger batches do an expert's few tokens
     * use tiles from the kernel's own threshold.
     */
    static final int TILED_FROM_TOKENS = 8;

    private MatMul() {}

    /**
     * @param w     weight of {@code ne = [in, out]}
     * @param x     {@code tokens} rows of {@code in} values
     * @param out   {@code tokens} rows of {@code out} values (overwritten)
     */
    public static void multiply(WorkerPool pool, Tensor w, float[] x, int tokens, float[] out) {
        multiply(pool, w, x, tokens, tokens, out);
    }

    /**
     * As {@link #multiply(WorkerPool, Tensor, float[], int, float[])} for {@code tokens} rows taken
     * out of a model batch of {@code batchTokens} (an expert's share of a prompt): within a batch
     * large enough to be tiled anyway, a few rows are tiled as soon as that pays for the kernel.
     */
    public static void multiply(WorkerPool pool, Tensor w, float[] x, int tokens, int batchTokens, float[] out) {
        checkShapes(w, x, tokens, out);
        Plan plan = plan(pool, w, x, tokens, batchTokens);
        if (plan.tiled()) {
            plan.tile(pool, w, tokens, out);
            return;
        }
        pool.forRange(plan.units(w, tokens), 1, (start, end) -> {
            for (int u = start; u < end; u++) plan.unit(w, u, tokens, out);
        });
    }

    /**
     * Two matrices of the same shape and type times the same activations (a SwiGLU FFN's gate and
     * up): the activations are rounded once and, for a few tokens, both matrices' rows are shared
     * out in one pass of the pool. {@code batchTokens} as in {@link #multiply(WorkerPool, Tensor, float[], int, int, float[])}.
     */
    public static void multiplyPair(WorkerPool pool, Tensor a, Tensor b, float[] x, int tokens, int batchTokens, float[] outA, float[] outB) {
        if (a.type() != b.type() || a.cols() != b.cols() || a.rows() != b.rows() || a.scales() != null || b.scales() != null
                || (a.groups() == null) != (b.groups() == null)) {
            multiply(pool, a, x, tokens, batchTokens, outA);
            multiply(pool, b, x, tokens, batchTokens, outB);
            return;
        }
        checkShapes(a, x, tokens, outA);
        checkShapes(b, x, tokens, outB);
        Plan plan = plan(pool, a, x, tokens, batchTokens);
        if (plan.tiled()) {
            plan.tile(pool, a, tokens, outA);
            plan.tile(pool, b, tokens, outB);
            return;
        }
        int units = plan.units(a, tokens);
        pool.forRange(2 * units, 1, (start, end) -> {
            for (int u = start; u < end; u++) {
                if (u < units) plan.unit(a, u, tokens, outA);
                else plan.unit(b, u - units, tokens, outB);
            }
        });
    }

    /**
     * Each matrix {@code w[i]} times its own single token {@code x[i]} into {@code out[i]}, all in
     * one pass of the pool (a decode step's chosen experts: one wait instead of one per matrix).
     * Activations given as the same array are rounded once per format. Each result is bit for bit
     * what {@link #multiply(WorkerPool, Tensor, float[], int, float[])} gives for one token.
     */
    public static void multiplyEach(WorkerPool pool, Tensor[] w, float[][] x, float[][] out) {
        Plan[] plans = new Plan[w.length];
        int[] firstUnit = new int[w.length + 1];
        List<QuantizedActivations> buffers = EACH_ACTIVATIONS.get();
        for (int i = 0; i < w.length; i++) {
            checkShapes(w[i], x[i], 1, out[i]);
            plans[i] = planShared(w[i], x[i], plans, i, buffers);
            firstUnit[i + 1] = firstUnit[i] + plans[i].units(w[i], 1);
        }
        pool.forRange(firstUnit[w.length], 1, (start, end) -> {
            int m = 0;
            for (int u = start; u < end; u++) {
                while (u >= firstUnit[m + 1]) m++;
                plans[m].unit(w[m], u - firstUnit[m], 1, out[m]);
            }
        });
    }

    /** A plan for {@code w} whose activations reuse those of an earlier plan with the same input and rounding, if any. */
    private static Plan planShared(Tensor w, float[] x, Plan[] earlier, int count, List<QuantizedActivations> buffers) {
        RowKernel kernel = w.kernel(); // one instance per type, unless the weight has its own scales
        for (int j = 0; j < count; j++) {
            Plan p = earlier[j];
            if (p.input() == x && p.kernel() == kernel && (p.groups() == null) == (w.groups() == null)) return p;
        }
        while (buffers.size() <= count) buffers.add(new QuantizedActivations());
        return plan(null, w, x, 1, 1, buffers.get(count));
    }

    private static void checkShapes(Tensor w, float[] x, int tokens, float[] out) {
        if (x.length < (long) tokens * w.cols() || out.length < (long) tokens * w.rows()) {
            throw new IllegalArgumentException(w.name() + ": activation shape does not fit " + tokens + " rows of " + w.cols() + " → " + w.rows());
        }
    }

    /** Rounds the activations for {@code w}'s type (into the calling thread's buffers, over {@code pool} if given) and picks the kernel. */
    private static Plan plan(WorkerPool pool, Tensor w, float[] x, int tokens, int batchTokens) {
        return plan(pool, w, x, tokens, batchTokens, ACTIVATIONS.get());
    }

    private static Plan plan(WorkerPool pool, Tensor w, float[] x, int tokens, int batchTokens, QuantizedActivations a) {
        RowKernel kernel = w.kernel();
        ActivationFormat format = ActivationFormat.of(w.type());
        QuantizedDot quantized = format.isInt8() && kernel instanceof QuantizedDot q && (Int8Lanes.AVAILABLE || !q.needsWideVectors()) ? q : null;
        RowGroupKernel groups = format.isInt8() && w.groups() != null ? RowGroups.kernel(w.type()) : null;
        // a few tokens out of a large batch, without groups: weights decoded once into registers, where the type allows
        SmallBatchKernel small = groups == null && batchTokens >= TILED_FROM_TOKENS && tokens >= 2 && w.scales() == null
                && w.rowBytes() >= SmallBatchKernel.MIN_ROW_BYTES ? SmallBatchKernel.of(w.type()) : null;
        int tiledFrom = small != null ? small.tiledFromTokens()
                : groups != null ? (groups instanceof RowGroupKernel.Tiling t ? t.tiledFromTokens() : Integer.MAX_VALUE)
                : batchTokens >= TILED_FROM_TOKENS && quantized != null ? Math.min(TILED_FROM_TOKENS, quantized.tiledFromTokens()) : TILED_FROM_TOKENS;
        // float tiles from groups run wherever groups do, from stored rows only with 512-bit vectors
        boolean tiled = tokens >= tiledFrom && (groups != null || Int8Lanes.AVAILABLE) && w.cols() % TiledMatMul.VECTOR_FLOATS == 0
                && (quantized == null || !quantized.usesOffsetSums());
        if (tiled) small = null; // groups stay: the tiles are decoded from them
        // rows the small-batch kernel leaves over still take the int8 dot, so its lane order holds there too
        a.quantize(pool, format, x, tokens, w.cols(), quantized != null && groups == null ? quantized.laneOrder() : null);
        if (groups != null && !tiled) groups.prepare(a);
        return new Plan(kernel, quantized, groups, small, a, tiled, x);
    }

    /**
     * How one call multiplies: the kernel, its int8 form if used, its row-group form if the weight
     * has one and it is read, the rounded activations and the input they came from. The work is
     * shared out in runs of {@link RowGroupKernel#ROWS} rows, or when groups are read of two
     * groups, four for one token.
     */
    private record Plan(RowKernel kernel, QuantizedDot quantized, RowGroupKernel groups, SmallBatchKernel small,
            QuantizedActivations activations, boolean tiled, float[] input) {
        float[] values() {
            return activations.values();
        }

        /** The whole product through float tiles: decoded from the groups where the weight has them, else from the stored rows. */
        void tile(WorkerPool pool, Tensor w, int tokens, float[] out) {
            if (groups instanceof RowGroupKernel.Tiling t) GroupTiledMatMul.multiply(pool, w, t, values(), tokens, out);
            else TiledMatMul.multiply(pool, w, kernel, values(), tokens, out);
        }

        /** Units of work: runs of a group's worth of rows, the last one possibly shorter; when groups are read, two groups, four for one token. */
        int units(Tensor w, int tokens) {
            int rows = groups == null ? RowGroupKernel.ROWS : tokens == 1 ? 4 * RowGroupKernel.ROWS : 2 * RowGroupKernel.ROWS;
            return (w.rows() + rows - 1) / rows;
        }

        void unit(Tensor w, int u, int tokens, float[] out) {
            if (groups != null && tokens == 1) {
                groupQuad(w, 4 * u, out);
                return;
            }
            if (groups != null) {
                groupPair(w, 2 * u, tokens, out);
                return;
            }
            int o = u * RowGroupKernel.ROWS, end = Math.min(o + RowGroupKernel.ROWS, w.rows());
            if (small != null) {
                for (; o + 4 <= end; o += 4) fourRows(w, o, tokens, out);
            }
            for (; o < end; o++) row(w, o, tokens, out);
        }

        /**
         * Rows o..o+3 against every token through the small-batch kernel, four tokens at a time;
         * one or three left over go in with the last one given twice (its results land twice in
         * the same place).
         */
        private void fourRows(Tensor w, int o, int tokens, float[] out) {
            int in = w.cols(), rows = w.rows();
            long offset = o * w.rowBytes(), rowBytes = w.rowBytes();
            float[] x = activations.values();
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                small.fourByFour(w.data(), offset, rowBytes, in, x, t * in, (t + 1) * in, (t + 2) * in, (t + 3) * in,
                        out, t * rows + o, (t + 1) * rows + o, (t + 2) * rows + o, (t + 3) * rows + o);
            }
            int last = tokens - 1;
            switch (tokens - t) {
                case 1 -> small.fourByTwo(w.data(), offset, rowBytes, in, x, t * in, t * in, out, t * rows + o, t * rows + o);
                case 2 -> small.fourByTwo(w.data(), offset, rowBytes, in, x, t * in, last * in, out, t * rows + o, last * rows + o);
                case 3 -> small.fourByFour(w.data(), offset, rowBytes, in, x, t * in, (t + 1) * in, last * in, last * in,
                        out, t * rows + o, (t + 1) * rows + o, last * rows + o, last * rows + o);
                default -> { }
            }
        }

        /** Groups g..g+3 against one token; a matrix's last one to three groups as pairs and a lone group. */
        private void groupQuad(Tensor w, int g, float[] out) {
            int left = w.rows() / RowGroupKernel.ROWS - g;
            if (left >= 4) {
                long bytes = groups.groupBytes(w.cols());
                groups.dotQuad(w.groups(), g * bytes, bytes, activations, 0, w.cols(), out, g * RowGroupKernel.ROWS);
                return;
            }
            groupPair(w, g, 1, out);
            if (left == 3) groupPair(w, g + 2, 1, out);
        }

        /**
         * Groups g and g+1 against every token, four at a time: the groups' bytes
         * are read from memory once. Two tokens left over go through {@link RowGroupKernel#dot2},
         * three through {@link RowGroupKernel#dot4} with the last one given twice (its results land
         * twice in the same place): cheaper than a dot per token. A matrix's odd last group, which
         * has no partner, takes a dot per token.
         */
        private void groupPair(Tensor w, int g, int tokens, float[] out) {
            int in = w.cols(), rows = w.rows(), o = g * RowGroupKernel.ROWS;
            long bytes = groups.groupBytes(in), first = g * bytes, second = first + bytes;
            if (o + RowGroupKernel.ROWS == rows) {
                for (int t = 0; t < tokens; t++) groups.dot(w.groups(), first, activations, t * in, in, out, t * rows + o);
                return;
            }
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                groups.dot4(w.groups(), first, second, activations, t * in, (t + 1) * in, (t + 2) * in, (t + 3) * in, in,
                        out, t * rows + o, (t + 1) * rows + o, (t + 2) * rows + o, (t + 3) * rows + o);
            }
            switch (tokens - t) {
                case 1 -> groups.dotPair(w.groups(), first, second, activations, t * in, in, out, t * rows + o);
                case 2 -> groups.dot2(w.groups(), first, second, activations, t * in, (t + 1) * in, in, out, t * rows + o, (t + 1) * rows + o);
                case 3 -> groups.dot4(w.groups(), first, second, activations, t * in, (t + 1) * in, (t + 2) * in, (t + 2) * in, in,
                        out, t * rows + o, (t + 1) * rows + o, (t + 2) * rows + o, (t + 2) * rows + o);
                default -> { }
            }
        }

        /** Row {@code o} of {@code w} against every token: one dot product each, weights read once from memory. */
        private void row(Tensor w, int o, int tokens, float[] out) {
            int in = w.cols();
            int outDim = w.rows();
            long offset = o * w.rowBytes();
            float[] values = activations.values();
            for (int t = 0; t < tokens; t++) {
                out[t * outDim + o] = quantized != null
                        ? quantized.dot(w.data(), offset, activations, t * in, in)
                        : kernel.dot(w.data(), offset, values, t * in, in);
            }
        }
    }

    /** Checks once, at load time, that a weight can be multiplied (its type has a kernel). */
    public static void requireSupported(Tensor w) {
        try {
            RowKernel.of(w.type());
        } catch (Glm4jException e) {
            throw new Glm4jException("tensor '" + w.name() + "' has type " + w.type() + ", which glm4j cannot compute with");
        }
    }
}
