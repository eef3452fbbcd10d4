package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.KernelWarmUp;
import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.RowKernel;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The GLM-4.5 ({@code glm4moe}) decoder: embedding, {@code blockCount} layers of attention plus
 * a dense or mixture-of-experts FFN, final norm and LM head (SPEC §3); and the NextN block
 * that drafts one token further ({@link #forwardNextN}).
 */
public final class Glm4MoeModel {
    private final Glm4MoeConfig config;
    private final Glm4MoeWeights weights;
    private final WorkerPool pool;
    private final Attention attention;
    private final MixtureOfExperts moe;
    /** Reused per thread: the residual stream, a layer's normed input, the dense FFN's output, the head's input rows. */
    private static final int RESIDUAL = 0, NORMED = 1, DENSE_OUT = 2, HEAD_INPUT = 3;
    private final ThreadLocal<Scratch> scratch = Scratch.perThread(4);
    /** Where forward passes add their stages' times; null when nobody is timing them. */
    private volatile StageTimes stageTimes;

    public Glm4MoeModel(Glm4MoeConfig config, Glm4MoeWeights weights, WorkerPool pool) {
        this.config = config;
        this.weights = weights;
        this.pool = pool;
        this.attention = new Attention(config, pool);
        this.moe = new MixtureOfExperts(config, pool);
    }

    /** Reads the config and binds every tensor of an open GGUF file; the file must stay open while the model is used. */
    public static Glm4MoeModel load(GgufFile file, WorkerPool pool) {
        return load(file, t -> t, pool);
    }

    /** As {@link #load(GgufFile, WorkerPool)}, each tensor first passed through {@code attach} (e.g. to add its row groups). */
    public static Glm4MoeModel load(GgufFile file, UnaryOperator<Tensor> attach, WorkerPool pool) {
        Tensor embedding = file.tensor("token_embd.weight");
        int vocabRows = Math.toIntExact(embedding.ne()[embedding.ne().length - 1]);
        Glm4MoeConfig config = Glm4MoeConfig.from(file.meta(), vocabRows);
        return new Glm4MoeModel(config, Glm4MoeWeights.load(WeightSource.of(file).withEach(attach), config), pool);
    }

    public Glm4MoeConfig config() {
        return config;
    }

    public Glm4MoeWeights weights() {
        return weights;
    }

    /**
     * Compiles the code a request runs before the first one arrives: the matrix kernels on a few
     * rows of each kind of matrix ({@link KernelWarmUp}), then the rest of a forward pass on a short
     * prompt and a few decode steps (and the NextN block's), as llama.cpp's warm-up run does.
     */
    public void warmUp(KvCacheType cacheType) {
        KernelWarmUp.run(pool, weights.matrices());
        int prompt = 16, steps = 4;
        KvCache cache = newCache(cacheType, prompt + steps, 1), nextnCache = hasNextN() ? newNextNCache(cacheType, prompt + steps, 1) : null;
        int[] tokens = new int[prompt + steps];
        for (int i = 0; i < tokens.length; i++) tokens[i] = (int) ((i * 7919L) % config.vocabSize());
        Output out = forward(Batch.of(0, 0, Arrays.copyOf(tokens, prompt), false), cache, true);
        if (nextnCache != null) forwardNextN(Batch.of(0, 0, Arrays.copyOfRange(tokens, 1, prompt + 1), false), out.hidden(), nextnCache);
        for (int i = prompt; i < prompt + steps; i++) {
            out = forward(Batch.of(0, i, new int[] {tokens[i]}, false), cache);
            if (nextnCache != null) forwardNextN(Batch.of(0, i, new int[] {tokens[i]}, false), out.hidden(), nextnCache);
        }
    }

    /**
     * From now on, forward passes (the NextN block's too) add the time of each of their stages to
     * {@code times}; null stops it. Each stage reads the clock once whether timed or not, and once
     * more when timed.
     */
    public void timeStagesInto(StageTimes times) {
        stageTimes = times;
    }

    /** A float32 KV cache for {@code contextSize} positions of up to {@code sequences} sequences. */
    public KvCache newCache(int contextSize, int sequences) {
        return newCache(KvCacheType.F32, contextSize, sequences);
    }

    public KvCache newCache(KvCacheType type, int contextSize, int sequences) {
        return new SequenceKvCache(type, config.blockCount(), config.kvHeadCount(), config.headDim(), contextSize, sequences);
    }

    /**
     * Logits of the batch tokens that asked for them, in batch order, and the final-normed hidden
     * states of the same rows (or of every batch token, when the forward pass was asked for all).
     */
    public record Output(int rows, float[] hidden, float[] logits, int vocabSize) {
        public float[] logitsRow(int r) {
            return logitsRow(r, new float[vocabSize]);
        }

        /** Row {@code r} of the logits copied into {@code into} (at least {@code vocabSize} floats), which is returned. */
        public float[] logitsRow(int r, float[] into) {
            System.arraycopy(logits, r * vocabSize, into, 0, vocabSize);
            return into;
        }
    }

    /** Runs the batch through every layer, extending each sequence's cache by its tokens. */
    public Output forward(Batch batch, KvCache cache) {
        return forward(batch, cache, false);
    }

    /**
     * As {@link #forward(Batch, KvCache)}; with {@code hiddenForAll} the output holds the final-normed
     * hidden state of every batch token (what the NextN layer consumes), logits still only where asked.
     */
    public Output forward(Batch batch, KvCache cache, boolean hiddenForAll) {
        return forward(batch, cache, hiddenForAll, null);
    }

    /**
     * As {@link #forward(Batch, KvCache)}, the logits written into {@code logits} (at least
     * {@code batch.logitRows() × vocabSize} floats), which the output then holds: a decode loop
     * that hands the same buffer back each step allocates no vocabulary-sized array per token.
     */
    public Output forward(Batch batch, KvCache cache, float[] logits) {
        return forward(batch, cache, false, logits);
    }

    /** {@link #forward(Batch, KvCache, boolean)} into a logits buffer as {@link #forward(Batch, KvCache, float[])}; null allocates one. */
    public Output forward(Batch batch, KvCache cache, boolean hiddenForAll, float[] logits) {
        validate(batch, cache);
        if (logits != null && logits.length < batch.logitRows() * config.vocabSize()) {
            throw new IllegalArgumentException("a logits buffer of " + logits.length + " floats is too small for " + batch.logitRows() + " rows");
        }
        float[] x = embed(weights.tokenEmbedding(), batch.tokens(), scratch.get().floats(RESIDUAL, batch.size() * config.hiddenSize()));
        int last = config.blockCount() - 1;
        for (int layer = 0; layer < last; layer++) decoderLayer(weights.layers().get(layer), layer, x, batch, cache);
        if (hiddenForAll) {
            decoderLayer(weights.layers().get(last), last, x, batch, cache);
            commit(batch, cache);
            return headForAll(x, batch, weights.outputNorm(), weights.output(), logits);
        }
        float[] out = outputLayer(weights.layers().get(last), last, x, batch, cache);
        commit(batch, cache);
        return head(out, batch.logitRows(), weights.outputNorm(), weights.output(), logits);
    }

    /**
     * The NextN (multi-token prediction) block: for each batch token {@code t_{i+1}} at position
     * {@code i}, with the main model's final-normed hidden state {@code h_i} (row i of
     * {@code hidden}), {@code x = eh_proj · [enorm(embed(t_{i+1})) ; hnorm(h_i)]}, one decoder
     * layer over the NextN block's own cache ({@link #newNextNCache}), then its head: logits
     * that predict the token at position {@code i+2}.
     */
    public Output forwardNextN(Batch batch, float[] hidden, KvCache nextnCache) {
        if (weights.nextn().isEmpty()) throw new Glm4jException("this model file has no NextN (MTP) layer");
        validate(batch, nextnCache);
        NextNWeights w = weights.nextn().getFirst();
        int n = batch.size();
        int h = config.hiddenSize();
        float[] embedded = embed(w.embedTokens(), batch.tokens(), new float[n * h]);
        VectorMath.rmsNormRows(embedded, n, w.embedNorm(), config.rmsEps(), embedded); // in place: each row's sum is taken before it is written
        float[] previous = VectorMath.rmsNormRows(hidden, n, w.hiddenNorm(), config.rmsEps());
        float[] joined = new float[n * 2 * h];
        for (int t = 0; t < n; t++) {
            System.arraycopy(embedded, t * h, joined, t * 2 * h, h); // embedding half first (vLLM / SGLang order)
            System.arraycopy(previous, t * h, joined, t * 2 * h + h, h);
        }
        float[] x = new float[n * h];
        MatMul.multiply(pool, w.ehProj(), joined, n, x);
        float[] out = outputLayer(w.block(), 0, x, batch, nextnCache);
        commit(batch, nextnCache);
        return head(out, batch.logitRows(), w.headNorm(), w.head(), null);
    }

    /** A cache for the NextN block's one layer. */
    public KvCache newNextNCache(KvCacheType type, int contextSize, int sequences) {
        return new SequenceKvCache(type, 1, config.kvHeadCount(), config.headDim(), contextSize, sequences);
    }

    public boolean hasNextN() {
        return !weights.nextn().isEmpty();
    }

    /** One decoder layer in place on the residual stream {@code x} of every batch token. */
    private void decoderLayer(LayerWeights w, int cacheLayer, float[] x, Batch batch, KvCache cache) {
        attentionBlock(w, cacheLayer, x, batch, cache);
        feedForwardBlock(w, x, batch.size());
    }

    /**
     * The layer before a head: attention for every token, which leaves its keys and values in the
     * cache, then the feed-forward block only for the rows whose logits are asked for (as llama.cpp's
     * output rows do), since no other row is read again. Returns those rows.
     */
    private float[] outputLayer(LayerWeights w, int cacheLayer, float[] x, Batch batch, KvCache cache) {
        attentionBlock(w, cacheLayer, x, batch, cache);
        float[] rows = batch.logitRows() < batch.size() ? selectRows(x, batch) : x;
        feedForwardBlock(w, rows, batch.logitRows());
        return rows;
    }

    /** A decoder layer's first half, in place on the residual stream {@code x} of every batch token: attention. */
    private void attentionBlock(LayerWeights w, int cacheLayer, float[] x, Batch batch, KvCache cache) {
        long start = System.nanoTime();
        float[] normed = scratch.get().floats(NORMED, x.length);
        VectorMath.rmsNormRows(x, batch.size(), w.attention().inputNorm(), config.rmsEps(), normed);
        VectorMath.addInPlace(x, attention.forward(w.attention(), cacheLayer, normed, batch, cache));
        timed(StageTimes.Stage.ATTENTION, start);
    }

    /** Its second half, in place on the first {@code n} rows of {@code x}: the dense or MoE feed-forward block. */
    private void feedForwardBlock(LayerWeights w, float[] x, int n) {
        if (n == 0) return;
        long start = System.nanoTime();
        Scratch buffers = scratch.get();
        int length = n * config.hiddenSize();
        float[] normed = buffers.floats(NORMED, length);
        VectorMath.rmsNormRows(x, n, w.ffnNorm(), config.rmsEps(), normed);
        VectorMath.addInPlace(x, w.isMoe() ? moe.forward(w.moe(), normed, n)
                : FeedForward.forward(pool, w.dense(), normed, n, n, buffers.floats(DENSE_OUT, length)));
        timed(w.isMoe() ? StageTimes.Stage.MOE_FFN : StageTimes.Stage.DENSE_FFN, start);
    }

    /** Adds the time since {@code start} to {@code stage} if someone is timing the stages. */
    private void timed(StageTimes.Stage stage, long start) {
        StageTimes times = stageTimes;
        if (times != null) times.add(stage, System.nanoTime() - start);
    }

    private static void commit(Batch batch, KvCache cache) {
        for (int t = 0; t < batch.size(); t++) cache.commit(batch.sequences()[t], batch.positions()[t]);
    }

    /**
     * Final norm and LM head for {@code rows} rows of {@code x}, those of the tokens that want
     * logits, into {@code logits} (a new array when null).
     */
    private Output head(float[] x, int rows, float[] norm, Tensor output, float[] logits) {
        long start = System.nanoTime();
        float[] normed = VectorMath.rmsNormRows(x, rows, norm, config.rmsEps());
        if (logits == null) logits = new float[rows * config.vocabSize()];
        MatMul.multiply(pool, output, normed, rows, logits);
        timed(StageTimes.Stage.HEAD, start);
        return new Output(rows, normed, logits, config.vocabSize());
    }

    /** As {@link #head}, {@code x} holding every batch token: the final norm for all of them, logits where asked. */
    private Output headForAll(float[] x, Batch batch, float[] norm, Tensor output, float[] logits) {
        long start = System.nanoTime();
        float[] normed = VectorMath.rmsNormRows(x, batch.size(), norm, config.rmsEps());
        int rows = batch.logitRows();
        if (logits == null) logits = new float[rows * config.vocabSize()];
        MatMul.multiply(pool, output, selectRows(normed, batch), rows, logits);
        timed(StageTimes.Stage.HEAD, start);
        return new Output(rows, normed, logits, config.vocabSize());
    }

    /** The rows of the tokens that want logits, in a buffer this thread reuses. */
    private float[] selectRows(float[] x, Batch batch) {
        int h = config.hiddenSize();
        float[] selected = scratch.get().floats(HEAD_INPUT, batch.logitRows() * h);
        for (int t = 0, r = 0; t < batch.size(); t++) {
            if (batch.wantLogits()[t]) System.arraycopy(x, t * h, selected, r++ * h, h);
        }
        return selected;
    }

    private float[] embed(Tensor table, int[] tokens, float[] x) {
        int h = config.hiddenSize();
        RowKernel kernel = table.kernel();
        for (int t = 0; t < tokens.length; t++) kernel.dequantize(table.data(), tokens[t] * table.rowBytes(), x, t * h, h);
        return x;
    }

    private void validate(Batch batch, KvCache cache) {
        int[] next = new int[batch.size() == 0 ? 0 : 1 + Arrays.stream(batch.sequences()).max().orElse(0)];
        Arrays.fill(next, -1);
        for (int t = 0; t < batch.size(); t++) {
            int token = batch.tokens()[t];
            if (token < 0 || token >= config.vocabSize()) {
                throw new Glm4jException("token id " + token + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
            int seq = batch.sequences()[t];
            int expected = next[seq] < 0 ? cache.length(seq) : next[seq];
            if (batch.positions()[t] != expected) {
                throw new IllegalArgumentException("sequence " + seq + " continues at position " + expected + ", batch has " + batch.positions()[t]);
            }
            if (expected >= cache.capacity()) {
                throw new Glm4jException("sequence needs more than the context of " + cache.capacity() + " tokens");
            }
            next[seq] = expected + 1;
        }
    }
}
