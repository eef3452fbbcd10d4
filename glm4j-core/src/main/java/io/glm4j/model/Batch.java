package io.glm4j.model;

import java.util.Arrays;

/**
 * Tokens evaluated together in one forward pass: for each, its sequence, position and id, and
 * whether its logits are wanted. The same shape serves prompt prefill (one sequence, many
 * tokens), decoding many sequences a token each, and speculative verification.
 * Within one sequence, positions must follow that sequence's cache without gaps.
 */
public record Batch(int[] tokens, int[] positions, int[] sequences, boolean[] wantLogits) {

    public Batch {
        int n = tokens.length;
        if (positions.length != n || sequences.length != n || wantLogits.length != n) {
            throw new IllegalArgumentException("batch arrays differ in length");
        }
    }

    /** {@code tokens} of sequence {@code seq} at positions {@code start, start+1, …}; logits for all or only the last. */
    public static Batch of(int seq, int start, int[] tokens, boolean logitsForAll) {
        int n = tokens.length;
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = start + i;
        int[] sequences = new int[n];
        Arrays.fill(sequences, seq);
        boolean[] want = new boolean[n];
        if (logitsForAll) Arrays.fill(want, true);
        else if (n > 0) want[n - 1] = true;
        return new Batch(tokens.clone(), positions, sequences, want);
    }

    public int size() {
        return tokens.length;
    }

    public int logitRows() {
        int n = 0;
        for (boolean w : wantLogits) if (w) n++;
        return n;
    }
}
