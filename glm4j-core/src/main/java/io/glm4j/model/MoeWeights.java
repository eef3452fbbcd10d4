package io.glm4j.model;

import io.glm4j.tensor.Tensor;

/**
 * A mixture-of-experts FFN: the router ({@code ne = [H, E]}), the selection-only score bias
 * ({@code exp_probs_b}), the routed experts stacked on an outer dimension, and the shared expert.
 */
public record MoeWeights(
        Tensor router,
        float[] selectionBias,
        Tensor gateExperts,
        Tensor upExperts,
        Tensor downExperts,
        FeedForwardWeights shared) {

    public FeedForwardWeights expert(int e) {
        return new FeedForwardWeights(gateExperts.slice(e), upExperts.slice(e), downExperts.slice(e));
    }
}
