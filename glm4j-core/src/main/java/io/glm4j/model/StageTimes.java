package io.glm4j.model;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where a model's forward passes spend their time: wall-clock nanoseconds per stage, summed over
 * the passes made while it is attached ({@link Glm4MoeModel#timeStagesInto}). What no stage
 * covers (the token embedding, picking the rows that want logits) is the passes' total less the
 * stages' sum. For {@code glm4j bench --profile}.
 */
public final class StageTimes {
    /** The stages of a forward pass, in the order a layer runs them. */
    public enum Stage {
        /** Input norm, q/k/v projections, RoPE, the cache write, attention and the output projection. */
        ATTENTION,
        /** The leading layers' dense SwiGLU FFN, with its norm. */
        DENSE_FFN,
        /** The MoE layers' FFN with its norm: router, routed experts and the shared expert. */
        MOE_FFN,
        /** The final norm and the output matrix. */
        HEAD
    }

    private final AtomicLongArray nanos = new AtomicLongArray(Stage.values().length);

    void add(Stage stage, long elapsedNanos) {
        nanos.addAndGet(stage.ordinal(), elapsedNanos);
    }

    /** Nanoseconds spent in {@code stage} so far. */
    public long nanos(Stage stage) {
        return nanos.get(stage.ordinal());
    }

    /** Nanoseconds spent in all stages so far. */
    public long total() {
        long sum = 0;
        for (Stage s : Stage.values()) sum += nanos(s);
        return sum;
    }
}
