package io.glm4j.model;

import io.glm4j.Glm4jException;
import io.glm4j.tensor.GgmlType;
import java.util.List;

/**
 * How much memory running a model takes: the weights (the mapped tensor data), the KV cache
 * (every main layer keeps K and V of {@code kvWidth} values per position; the NextN block is not
 * run, so it keeps none), and glm4j's float32 activations for one batch.
 *
 * <p>Each of {@code parallel} sequences gets its own {@code context} positions of cache, as glm4j's
 * KV cache allocates them. The compute estimate counts the buffers alive at the peak of a forward
 * pass over a prompt batch of {@link #PREFILL_BATCH} tokens: residual stream, normed input and
 * attention output ({@code 3·n·hidden}), q and the attention mix ({@code 2·n·q width}), new k and v,
 * the larger of the dense FFN ({@code 2·n·ffn + n·hidden}) and the MoE (router logits, shared
 * expert, one routed expert's gathered rows and outputs), plus one row of logits per sequence.
 */
public record MemoryEstimate(long weightsBytes, long kvBytes, long computeBytes) {

    /** Prompt tokens per forward pass that the compute estimate assumes (llama.cpp's default ubatch). */
    public static final int PREFILL_BATCH = 512;

    public long totalBytes() {
        return weightsBytes + kvBytes + computeBytes;
    }

    public static MemoryEstimate of(Glm4MoeConfig c, long weightsBytes, int context, GgmlType kvType, int parallel) {
        if (context < 1) throw new Glm4jException("context must be at least 1 token, got " + context);
        if (parallel < 1) throw new Glm4jException("parallel sequences must be at least 1, got " + parallel);
        long kv = kvBytesPerToken(c, kvType) * context * parallel;
        return new MemoryEstimate(weightsBytes, kv, computeBytes(c, context, parallel));
    }

    /** Bytes of KV cache one position of one sequence takes: layers × (K + V) × kv heads × head dim. */
    public static long kvBytesPerToken(Glm4MoeConfig c, GgmlType kvType) {
        return (long) c.blockCount() * 2 * kvType.bytesFor(c.kvWidth());
    }

    /** Sum of the tensors' stored sizes. */
    public static long weightsBytes(List<TensorSpec> tensors) {
        return tensors.stream().mapToLong(TensorSpec::bytes).sum();
    }

    static long computeBytes(Glm4MoeConfig c, int context, int parallel) {
        long n = Math.min(PREFILL_BATCH, (long) context * parallel);
        long h = c.hiddenSize();
        long attention = 3 * n * h + 2 * n * c.queryWidth() + 2 * n * c.kvWidth();
        long dense = 2 * n * c.denseFfnSize() + n * h;
        long sharedWidth = (long) c.expertFfnSize() * c.sharedExpertCount();
        long moe = n * c.expertCount() + (2 * n * sharedWidth + n * h) + (2 * n * h + 2 * n * c.expertFfnSize());
        long logits = (long) parallel * (c.vocabSize() + h);
        return Float.BYTES * (attention + Math.max(dense, moe) + logits);
    }
}
