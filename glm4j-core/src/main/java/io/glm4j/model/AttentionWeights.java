package io.glm4j.model;

import io.glm4j.tensor.Tensor;
import java.util.List;

/** One layer's self-attention: pre-norm, biased q/k/v projections, optional per-head q/k norms, output projection. */
public record AttentionWeights(
        float[] inputNorm,
        Tensor wq, float[] bq,
        Tensor wk, float[] bk,
        Tensor wv, float[] bv,
        Tensor wo,
        float[] qNorm,
        float[] kNorm) {

    public boolean hasQkNorm() {
        return qNorm != null;
    }

    /** Its four projection matrices. */
    public List<Tensor> matrices() {
        return List.of(wq, wk, wv, wo);
    }
}
