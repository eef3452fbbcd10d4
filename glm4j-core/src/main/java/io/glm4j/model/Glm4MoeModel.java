package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.gguf.GgufFile;
import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.RowKernel;
import io.glm4j.tensor.Tensor;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;
import java.util.Arrays;

/**
 * The GLM-4.5 ({@code glm4moe}) decoder: embedding, {@code blockCount} layers of attention plus
 * a dense or mixture-of-experts FFN, final norm and LM head (SPEC §3). The NextN block is
 * loaded with the weights but not run here.
 */
public final class Glm4MoeModel {
    private final Glm4MoeConfig config;
    private final Glm4MoeWeights weights;
    private final WorkerPool pool;
    private final Attention attention;
    private final MixtureOfExperts moe;

    public Glm4MoeModel(Glm4MoeConfig config, Glm4MoeWeights weights, WorkerPool pool) {
        this.config = config;
        this.weights = weights;
        this.pool = pool;
        this.attention = new Attention(config, pool);
        this.moe = new MixtureOfExperts(config, pool);
    }

    /** Reads the config and binds every tensor of an open GGUF file; the file must stay open while the model is used. */
    public static Glm4MoeModel load(GgufFile file, WorkerPool pool) {
        Tensor embedding = file.tensor("token_embd.weight");
        int vocabRows = Math.toIntExact(embedding.ne()[embedding.ne().length - 1]);
        Glm4MoeConfig config = Glm4MoeConfig.from(file.meta(), vocabRows);
        return new Glm4MoeModel(config, Glm4MoeWeights.load(file, config), pool);
    }

    public Glm4MoeConfig config() {
        return config;
    }

    public Glm4MoeWeights weights() {
        return weights;
    }

    /** A float32 KV cache for {@code contextSize} positions of up to {@code sequences} sequences. */
    public KvCache newCache(int contextSize, int sequences) {
        return new F32KvCache(config.blockCount(), config.kvHeadCount(), config.headDim(), contextSize, sequences);
    }

    /** Final-norm hidden states and logits of the batch tokens that asked for them, in batch order. */
    public record Output(int rows, float[] hidden, float[] logits, int vocabSize) {
        public float[] logitsRow(int r) {
            return Arrays.copyOfRange(logits, r * vocabSize, (r + 1) * vocabSize);
        }
    }

    /** Runs the batch through every layer, extending each sequence's cache by its tokens. */
    public Output forward(Batch batch, KvCache cache) {
        validate(batch, cache);
        int n = batch.size();
        int h = config.hiddenSize();
        float[] x = embed(batch.tokens());
        for (int layer = 0; layer < config.blockCount(); layer++) {
            LayerWeights w = weights.layers().get(layer);
            float[] a = VectorMath.rmsNormRows(x, n, w.attention().inputNorm(), config.rmsEps());
            VectorMath.addInPlace(x, attention.forward(w.attention(), layer, a, batch, cache));
            float[] f = VectorMath.rmsNormRows(x, n, w.ffnNorm(), config.rmsEps());
            VectorMath.addInPlace(x, w.isMoe() ? moe.forward(w.moe(), f, n) : FeedForward.forward(pool, w.dense(), f, n));
        }
        for (int t = 0; t < n; t++) cache.commit(batch.sequences()[t], batch.positions()[t]);
        int rows = batch.logitRows();
        float[] selected = new float[rows * h];
        for (int t = 0, r = 0; t < n; t++) {
            if (batch.wantLogits()[t]) System.arraycopy(x, t * h, selected, r++ * h, h);
        }
        float[] hidden = VectorMath.rmsNormRows(selected, rows, weights.outputNorm(), config.rmsEps());
        float[] logits = new float[rows * config.vocabSize()];
        MatMul.multiply(pool, weights.output(), hidden, rows, logits);
        return new Output(rows, hidden, logits, config.vocabSize());
    }

    private float[] embed(int[] tokens) {
        int h = config.hiddenSize();
        Tensor table = weights.tokenEmbedding();
        RowKernel kernel = RowKernel.of(table.type());
        float[] x = new float[tokens.length * h];
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
