package io.glm4j.generate;

import io.glm4j.Glm4jException;
import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import java.util.Arrays;

/**
 * One conversation's sequence in a KV cache, with the tokens the cache holds. A new prompt that
 * starts like the cached tokens reuses them: only the differing tail is evaluated.
 */
public final class Session {
    /** Tokens evaluated per forward pass while prefilling a prompt. */
    public static final int PREFILL_BATCH = 256;

    private final Glm4MoeModel model;
    private final KvCache cache;
    private final int sequence;
    private int[] tokens = new int[64];
    private int length;

    public Session(Glm4MoeModel model, KvCache cache, int sequence) {
        this.model = model;
        this.cache = cache;
        this.sequence = sequence;
    }

    /** Tokens currently in the cache. */
    public int length() {
        return length;
    }

    public int contextSize() {
        return cache.capacity();
    }

    public int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    /**
     * Makes the cache hold exactly {@code prompt} and returns the logits after its last token.
     * The longest common prefix with what is cached is kept (at least one token is always
     * evaluated, to get logits).
     *
     * @return the number of prompt tokens reused from the cache, and the logits
     */
    public Prefill prefill(int[] prompt) {
        if (prompt.length == 0) throw new Glm4jException("the prompt is empty");
        if (prompt.length > cache.capacity()) {
            throw new Glm4jException("the prompt has " + prompt.length + " tokens, more than the context of " + cache.capacity());
        }
        int common = 0;
        while (common < length && common < prompt.length - 1 && tokens[common] == prompt[common]) common++;
        truncate(common);
        float[] logits = null;
        for (int start = common; start < prompt.length; start += PREFILL_BATCH) {
            int end = Math.min(prompt.length, start + PREFILL_BATCH);
            logits = evaluate(Arrays.copyOfRange(prompt, start, end));
        }
        return new Prefill(common, logits);
    }

    public record Prefill(int reused, float[] logits) {}

    /** Appends one token and returns the logits that follow it. */
    public float[] append(int token) {
        if (length >= cache.capacity()) {
            throw new Glm4jException("the context of " + cache.capacity() + " tokens is full");
        }
        return evaluate(new int[] {token});
    }

    /** Forgets everything after the first {@code newLength} tokens. */
    public void truncate(int newLength) {
        length = Math.min(length, newLength);
        cache.truncate(sequence, length);
    }

    private float[] evaluate(int[] batch) {
        Glm4MoeModel.Output out = model.forward(Batch.of(sequence, length, batch, false), cache);
        if (length + batch.length > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + batch.length));
        System.arraycopy(batch, 0, tokens, length, batch.length);
        length += batch.length;
        return out.logitsRow(0);
    }
}
