package io.glm4j.model.synth;

import io.glm4j.model.Glm4MoeConfig;

/**
 * Mean and spread of the random values of each tensor, chosen like the shared fixture's (norm
 * weights 1 ± 0.1, embeddings 0.5, biases 0.05–0.1, router logits and LM head of modest size) and
 * scaled with the width that feeds each matrix, so that every preset, tiny or full width, gives
 * finite logits of a few units that are far from uniform.
 */
record WeightScale(float mean, float std) {

    static WeightScale of(String name, Glm4MoeConfig c) {
        double h = c.hiddenSize();
        if (name.endsWith("norm.weight")) return new WeightScale(1f, 0.1f);
        if (name.endsWith("embed_tokens.weight") || name.equals("token_embd.weight")) return spread(0.5);
        if (name.endsWith("attn_q.bias") || name.endsWith("attn_k.bias")) return spread(0.1);
        if (name.endsWith("attn_v.bias")) return spread(0.05);
        if (name.endsWith("exp_probs_b.bias")) return spread(0.1);
        if (name.endsWith("ffn_gate_inp.weight")) return spread(1.6 / Math.sqrt(h));
        if (name.equals("output.weight") || name.endsWith("shared_head_head.weight")) return spread(2.4 / Math.sqrt(h));
        if (name.endsWith("attn_output.weight")) return spread(1.1 / Math.sqrt(c.queryWidth()));
        if (name.contains(".attn_")) return spread(1.1 / Math.sqrt(h));
        if (name.endsWith("eh_proj.weight")) return spread(1 / Math.sqrt(2 * h));
        if (name.contains("ffn_down")) return spread(1 / Math.sqrt(name.contains("exps") || name.contains("shexp") ? c.expertFfnSize() : c.denseFfnSize()));
        if (name.contains("ffn_")) return spread(1 / Math.sqrt(h));
        throw new IllegalArgumentException("no scale for tensor " + name);
    }

    private static WeightScale spread(double std) {
        return new WeightScale(0f, (float) std);
    }
}
