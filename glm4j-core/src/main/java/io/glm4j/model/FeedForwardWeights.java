package io.glm4j.model;

import io.glm4j.tensor.Tensor;
import java.util.List;

/** A SwiGLU feed-forward block, {@code down(silu(gate·x) ⊙ up·x)}: a dense FFN, the shared expert, or one routed expert. */
public record FeedForwardWeights(Tensor gate, Tensor up, Tensor down) {
    /** Its three matrices. */
    public List<Tensor> matrices() {
        return List.of(gate, up, down);
    }
}
