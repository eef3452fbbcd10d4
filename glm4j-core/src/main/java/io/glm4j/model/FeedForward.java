package io.glm4j.model;

import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;

/**
 * SwiGLU feed-forward over a batch of rows: {@code down(silu(gate·x) ⊙ (up·x))}. The rows may be
 * some of a larger model batch of {@code batchTokens} (the tokens routed to one expert).
 */
final class FeedForward {
    private FeedForward() {}

    static float[] forward(WorkerPool pool, FeedForwardWeights w, float[] x, int rows) {
        return forward(pool, w, x, rows, rows);
    }

    static float[] forward(WorkerPool pool, FeedForwardWeights w, float[] x, int rows, int batchTokens) {
        int width = w.gate().rows();
        float[] gate = new float[rows * width];
        float[] up = new float[rows * width];
        MatMul.multiplyPair(pool, w.gate(), w.up(), x, rows, batchTokens, gate, up);
        VectorMath.siluMultiply(gate, up, rows * width);
        float[] out = new float[rows * w.down().rows()];
        MatMul.multiply(pool, w.down(), gate, rows, batchTokens, out);
        return out;
    }
}
