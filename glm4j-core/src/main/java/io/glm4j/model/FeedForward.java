package io.glm4j.model;

import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;

/**
 * SwiGLU feed-forward over a batch of rows: {@code down(silu(gate·x) ⊙ (up·x))}. The rows may be
 * some of a larger model batch of {@code batchTokens} (the tokens routed to one expert).
 */
final class FeedForward {
    private static final int GATE = 0, UP = 1;
    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(2);

    private FeedForward() {}

    static float[] forward(WorkerPool pool, FeedForwardWeights w, float[] x, int rows) {
        return forward(pool, w, x, rows, rows, new float[rows * w.down().rows()]);
    }

    /** Into {@code out} ({@code rows} rows of the model width), which is returned; gate and up in this thread's reused buffers. */
    static float[] forward(WorkerPool pool, FeedForwardWeights w, float[] x, int rows, int batchTokens, float[] out) {
        int width = w.gate().rows();
        Scratch buffers = SCRATCH.get();
        float[] gate = buffers.floats(GATE, rows * width);
        float[] up = buffers.floats(UP, rows * width);
        MatMul.multiplyPair(pool, w.gate(), w.up(), x, rows, batchTokens, gate, up);
        VectorMath.siluMultiply(gate, up, rows * width);
        MatMul.multiply(pool, w.down(), gate, rows, batchTokens, out);
        return out;
    }
}
