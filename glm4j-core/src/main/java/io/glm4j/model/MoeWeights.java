package io.glm4j.model;

import io.glm4j.tensor.Tensor;
import java.util.List;

/**
 * A mixture-of-experts FFN: the router ({@code ne = [H, E]}), the selection-only score bias
 * ({@code exp_probs_b}), the routed experts, and the shared expert.
 */
public record MoeWeights(
        Tensor router,
        float[] selectionBias,
        List<FeedForwardWeights> experts,
        FeedForwardWeights shared) {

    public FeedForwardWeights expert(int e) {
        return experts.get(e);
    }
}
