package io.glm4j.model;

import io.glm4j.tensor.MatMul;
import io.glm4j.tensor.VectorMath;
import io.glm4j.tensor.WorkerPool;

/** SwiGLU feed-forward over a batch of rows: {@code down(silu(gate·x) ⊙ (up·x))}. */
final class FeedForward {
    private FeedForward() {}

    static float[] forward(WorkerPool pool, FeedForwardWeights w, float[] x, int rows) {
        int width = w.gate().rows();
        float[] gate = new float[rows * width];
        float[] up = new float[rows * width];
        MatMul.multiplyPair(pool, w.gate(), w.up(), x, rows, gate, up);
        VectorMath.siluMultiply(gate, up, rows * width);
        float[] out = new float[rows * w.down().rows()];
        MatMul.multiply(pool, w.down(), gate, rows, out);
        return out;
    }
}
