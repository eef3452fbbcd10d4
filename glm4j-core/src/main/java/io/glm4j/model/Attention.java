package io.glm4j.model;

import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;

/**
 * Grouped-query self-attention of one layer over a batch: project to q/k/v (with biases),
 * optionally RMS-normalise each head, rotate, store K/V in the cache, then for every token attend
 * causally over its own sequence's positions {@code 0..pos}: the query heads of one KV head
 * together, for a few consecutive tokens of a sequence at once.
 */
final class Attention {
    private final Glm4MoeConfig config;
    private final Rope rope;
    private final WorkerPool pool;
    private static final ThreadLocal<GroupAttention> GROUP_ATTENTION = ThreadLocal.withInitial(GroupAttention::new);
    private static final int Q = 0, K = 1, V = 2, MIXED = 3, OUT = 4, CHUNK_STARTS = 0; // float slots, then an int slot
    private final ThreadLocal<Scratch> scratch = Scratch.perThread(5);

    Attention(Glm4MoeConfig config, WorkerPool pool) {
        this.config = config;
        this.rope = new Rope(config.ropeDims(), config.ropeTheta());
        this.pool = pool;
    }

    /**
     * Returns the attention output (before the residual add) for each token of {@code h}, in a
     * buffer this thread reuses on its next call.
     */
    float[] forward(AttentionWeights w, int layer, float[] h, Batch batch, KvCache cache) {
        int n = batch.size();
        int heads = config.headCount();
        int kvHeads = config.kvHeadCount();
        int hd = config.headDim();
        Scratch buffers = scratch.get();
        float[] q = buffers.floats(Q, n * w.wq().rows());
        float[] k = buffers.floats(K, n * w.wk().rows());
        float[] v = buffers.floats(V, n * w.wv().rows());
        if (n == 1) { // a decode step: the three projections in one pass of the pool, the small k and v filling its tail
            MatMul.multiplyEach(pool, new Tensor[] {w.wq(), w.wk(), w.wv()}, new float[][] {h, h, h}, new float[][] {q, k, v});
        } else {
            MatMul.multiply(pool, w.wq(), h, n, q);
            MatMul.multiply(pool, w.wk(), h, n, k);
            MatMul.multiply(pool, w.wv(), h, n, v);
        }
        VectorMath.addBias(q, n, w.bq());
        VectorMath.addBias(k, n, w.bk());
        VectorMath.addBias(v, n, w.bv());
        for (int t = 0; t < n; t++) {
            int qOff = t * config.queryWidth();
            int kOff = t * config.kvWidth();
            if (w.hasQkNorm()) {
                for (int head = 0; head < heads; head++) VectorMath.rmsNorm(q, qOff + head * hd, w.qNorm(), config.rmsEps(), q, qOff + head * hd, hd);
                for (int head = 0; head < kvHeads; head++) VectorMath.rmsNorm(k, kOff + head * hd, w.kNorm(), config.rmsEps(), k, kOff + head * hd, hd);
            }
            rope.rotate(q, qOff, heads, hd, batch.positions()[t]);
            rope.rotate(k, kOff, kvHeads, hd, batch.positions()[t]);
            cache.write(layer, batch.sequences()[t], batch.positions()[t], k, kOff, v, kOff);
        }
        float[] mixed = buffers.floats(MIXED, n * config.queryWidth()); // every row and head written below
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(hd));
        int[] starts = buffers.ints(CHUNK_STARTS, n + 1);
        int chunks = cutIntoChunks(batch, starts);
        pool.forRange(chunks * kvHeads, 1, (start, end) -> {
            GroupAttention attention = GROUP_ATTENTION.get();
            for (int job = start; job < end; job++) {
                int chunk = job / kvHeads, kvHead = job % kvHeads, from = starts[chunk];
                attention.attend(cache, layer, batch.sequences()[from], kvHead, group, hd, scale, q, mixed,
                        config.queryWidth(), kvHead * group * hd, batch.positions(), from, starts[chunk + 1]);
            }
        });
        float[] out = buffers.floats(OUT, n * config.hiddenSize());
        MatMul.multiply(pool, w.wo(), mixed, n, out);
        return out;
    }

    /**
     * Cuts the batch into runs of at most {@link GroupAttention#TOKENS} consecutive tokens of one
     * sequence, which attend together: run c is tokens {@code [starts[c], starts[c+1])}. Returns
     * the number of runs.
     */
    static int cutIntoChunks(Batch batch, int[] starts) {
        int chunks = 0;
        for (int t = 0; t < batch.size(); t++) {
            if (t == 0 || batch.sequences()[t] != batch.sequences()[t - 1] || t - starts[chunks - 1] == GroupAttention.TOKENS) {
                starts[chunks++] = t;
            }
        }
        starts[chunks] = batch.size();
        return chunks;
    }
}
