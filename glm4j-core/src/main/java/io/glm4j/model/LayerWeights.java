package io.glm4j.model;

/** One decoder layer: attention, then the FFN pre-norm and either a dense FFN or an MoE block. */
public record LayerWeights(AttentionWeights attention, float[] ffnNorm, FeedForwardWeights dense, MoeWeights moe) {

    public boolean isMoe() {
        return moe != null;
    }
}
