package io.glm4j.model;

import io.glm4j.tensor.Tensor;

/**
 * The multi-token-prediction (NextN) block stored after the main layers: norms for the next
 * token's embedding and the main model's hidden state, the projection of both onto the hidden
 * size, a full decoder layer, and its own head. {@code embedTokens}, {@code head} and
 * {@code headNorm} fall back to the main model's when the file omits them.
 */
public record NextNWeights(
        float[] embedNorm,
        float[] hiddenNorm,
        Tensor ehProj,
        LayerWeights block,
        Tensor embedTokens,
        float[] headNorm,
        Tensor head) {}
