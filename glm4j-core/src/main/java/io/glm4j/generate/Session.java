package io.glm4j.generate;

import io.glm4j.Glm4jException;
import io.glm4j.model.Batch;
import io.glm4j.model.Glm4MoeModel;
import io.glm4j.model.KvCache;
import java.util.Arrays;
import java.util.List;

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
    /** Where {@link #append} writes its logits, reused token after token. */
    private float[] stepLogits;

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
     */
    public Prefill prefill(int[] prompt) {
        return prefill(prompt, Integer.MAX_VALUE, false);
    }

    /**
     * As {@link #prefill(int[])}, reusing at most {@code maxReuse} cached tokens; with
     * {@code keepHidden} the result also holds the final-normed hidden state of every evaluated
     * position (from {@code reused} on), which the NextN drafter consumes.
     */
    public Prefill prefill(int[] prompt, int maxReuse, boolean keepHidden) {
        if (prompt.length == 0) throw new Glm4jException("the prompt is empty");
        if (prompt.length > cache.capacity()) {
            throw new Glm4jException("the prompt has " + prompt.length + " tokens, more than the context of " + cache.capacity());
        }
        int common = Math.min(Math.min(commonPrefix(prompt), prompt.length - 1), Math.max(0, maxReuse));
        truncate(common);
        float[] logits = null;
        float[] hidden = keepHidden ? new float[(prompt.length - common) * model.config().hiddenSize()] : null;
        for (int start = common; start < prompt.length; start += PREFILL_BATCH) {
            int end = Math.min(prompt.length, start + PREFILL_BATCH);
            Glm4MoeModel.Output out = evaluate(Arrays.copyOfRange(prompt, start, end), false, keepHidden, null);
            logits = out.logitsRow(out.rows() - 1);
            if (keepHidden) System.arraycopy(out.hidden(), 0, hidden, (start - common) * model.config().hiddenSize(), out.hidden().length);
        }
        return new Prefill(common, logits, hidden);
    }

    /** @param hidden final-normed hidden rows of positions {@code reused..}, or null if not asked for */
    public record Prefill(int reused, float[] logits, float[] hidden) {}

    /** Appends tokens and returns the logits and final-normed hidden state after each (speculative verification). */
    public Glm4MoeModel.Output extend(int[] batch) {
        if (length + batch.length > cache.capacity()) {
            throw new Glm4jException("the context of " + cache.capacity() + " tokens is full");
        }
        return evaluate(batch, true, true, null);
    }

    /**
     * Appends one token and returns the logits that follow it, in a buffer of this session's that
     * its next {@code append} overwrites (so a decode loop allocates no vocabulary-sized array a token).
     */
    public float[] append(int token) {
        if (length >= cache.capacity()) {
            throw new Glm4jException("the context of " + cache.capacity() + " tokens is full");
        }
        if (stepLogits == null) stepLogits = new float[model.config().vocabSize()];
        return evaluate(new int[] {token}, false, false, stepLogits).logits();
    }

    /**
     * Appends tokens to each of several sessions of the same cache in one forward pass (their
     * steps share one read of the weights), the logits written into {@code logits} (a new array
     * when it is null or too small); the result holds the logits and final-normed hidden state after each token.
     */
    static Together extendTogether(Glm4MoeModel model, KvCache cache, List<Session> sessions, List<int[]> tokens, float[] logits) {
        int[] rows = tokens.stream().mapToInt(t -> t.length).toArray();
        int total = Arrays.stream(rows).sum();
        int[] ids = new int[total];
        int[] positions = new int[total];
        int[] sequences = new int[total];
        boolean[] want = new boolean[total];
        int[] firstRow = new int[sessions.size()];
        int at = 0;
        for (int i = 0; i < sessions.size(); i++) {
            Session s = sessions.get(i);
            int[] add = tokens.get(i);
            if (s.cache != cache) throw new IllegalArgumentException("sessions of different caches");
            if (s.length + add.length > cache.capacity()) throw new Glm4jException("the context of " + cache.capacity() + " tokens is full");
            firstRow[i] = at;
            for (int j = 0; j < add.length; j++, at++) {
                ids[at] = add[j];
                positions[at] = s.length + j;
                sequences[at] = s.sequence;
                want[at] = true;
            }
        }
        if (logits != null && logits.length < total * model.config().vocabSize()) logits = null;
        Glm4MoeModel.Output out = model.forward(new Batch(ids, positions, sequences, want), cache, true, logits);
        for (int i = 0; i < sessions.size(); i++) sessions.get(i).record(tokens.get(i));
        return new Together(out, firstRow, rows);
    }

    /** One forward pass over several sessions' tokens: session i's rows are {@code firstRow[i] ..} of {@code batch}, {@code rows[i]} of them. */
    record Together(Glm4MoeModel.Output batch, int[] firstRow, int[] rows) {
        /** Session i's rows as an output of their own, copied out of the batch's. */
        Glm4MoeModel.Output of(int i) {
            int h = batch.hidden().length / batch.rows(), v = batch.vocabSize(), from = firstRow[i], n = rows[i];
            return new Glm4MoeModel.Output(n, Arrays.copyOfRange(batch.hidden(), from * h, (from + n) * h),
                    Arrays.copyOfRange(batch.logits(), from * v, (from + n) * v), v);
        }

        /** Session i's last logits row, copied into {@code into} (a vocabulary's length; null allocates). */
        float[] lastLogits(int i, float[] into) {
            return batch.logitsRow(firstRow[i] + rows[i] - 1, into != null ? into : new float[batch.vocabSize()]);
        }
    }

    /** Forgets everything after the first {@code newLength} tokens. */
    public void truncate(int newLength) {
        length = Math.min(length, newLength);
        cache.truncate(sequence, length);
    }

    /** Evaluates {@code batch} after the cached tokens, its logits into {@code logits} (null: a new array). */
    private Glm4MoeModel.Output evaluate(int[] batch, boolean allLogits, boolean allHidden, float[] logits) {
        Glm4MoeModel.Output out = model.forward(Batch.of(sequence, length, batch, allLogits), cache, allHidden, logits);
        record(batch);
        return out;
    }

    private void record(int[] batch) {
        if (length + batch.length > tokens.length) tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + batch.length));
        System.arraycopy(batch, 0, tokens, length, batch.length);
        length += batch.length;
    }

    /** Length of the common prefix of the cached tokens and {@code prompt}. */
    int commonPrefix(int[] prompt) {
        int common = 0;
        while (common < length && common < prompt.length && tokens[common] == prompt[common]) common++;
        return common;
    }
}
