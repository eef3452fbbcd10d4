package io.glm4j.model;

import io.glm4j.tensor.GgmlType;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensor directory llama.cpp's converter ({@code convert_hf_to_gguf.py}, class
 * {@code Glm4MoeModel}) writes for a GLM-4.5 family checkpoint, in its order: the embedding, each
 * block (attention, then the dense or MoE FFN; the NextN blocks add their own head tensors), the
 * final norm and the LM head. Every tensor is F32 here; {@link QuantMix} assigns storage types.
 */
public final class Glm4MoeTensors {
    private Glm4MoeTensors() {}

    /** The tensors of a model with these hyper-parameters; {@code qkNorm} adds GLM-4.5's per-head q/k norms. */
    public static List<TensorSpec> of(Glm4MoeConfig c, boolean qkNorm) {
        long h = c.hiddenSize(), vocab = c.vocabSize();
        List<TensorSpec> t = new ArrayList<>();
        t.add(f32("token_embd.weight", h, vocab));
        for (int i = 0; i < c.blockCount() + c.nextnLayers(); i++) {
            String p = "blk." + i + ".";
            t.add(f32(p + "attn_norm.weight", h));
            t.add(f32(p + "attn_q.weight", h, c.queryWidth()));
            t.add(f32(p + "attn_q.bias", c.queryWidth()));
            t.add(f32(p + "attn_k.weight", h, c.kvWidth()));
            t.add(f32(p + "attn_k.bias", c.kvWidth()));
            t.add(f32(p + "attn_v.weight", h, c.kvWidth()));
            t.add(f32(p + "attn_v.bias", c.kvWidth()));
            t.add(f32(p + "attn_output.weight", c.queryWidth(), h));
            if (qkNorm) {
                t.add(f32(p + "attn_q_norm.weight", c.headDim()));
                t.add(f32(p + "attn_k_norm.weight", c.headDim()));
            }
            t.add(f32(p + "post_attention_norm.weight", h));
            if (c.isDense(i)) {
                ffn(t, p, "", h, c.denseFfnSize());
            } else {
                long e = c.expertCount(), fe = c.expertFfnSize();
                t.add(f32(p + "ffn_gate_inp.weight", h, e));
                t.add(f32(p + "exp_probs_b.bias", e));
                t.add(f32(p + "ffn_gate_exps.weight", h, fe, e));
                t.add(f32(p + "ffn_up_exps.weight", h, fe, e));
                t.add(f32(p + "ffn_down_exps.weight", fe, h, e));
                if (c.sharedExpertCount() > 0) ffn(t, p, "_shexp", h, fe * c.sharedExpertCount());
            }
            if (i >= c.blockCount()) {
                String n = p + "nextn.";
                t.add(f32(n + "eh_proj.weight", 2 * h, h));
                t.add(f32(n + "embed_tokens.weight", h, vocab));
                t.add(f32(n + "enorm.weight", h));
                t.add(f32(n + "hnorm.weight", h));
                t.add(f32(n + "shared_head_head.weight", h, vocab));
                t.add(f32(n + "shared_head_norm.weight", h));
            }
        }
        t.add(f32("output_norm.weight", h));
        t.add(f32("output.weight", h, vocab));
        return t;
    }

    private static void ffn(List<TensorSpec> t, String p, String suffix, long h, long width) {
        t.add(f32(p + "ffn_gate" + suffix + ".weight", h, width));
        t.add(f32(p + "ffn_up" + suffix + ".weight", h, width));
        t.add(f32(p + "ffn_down" + suffix + ".weight", width, h));
    }

    private static TensorSpec f32(String name, long... ne) {
        return new TensorSpec(name, GgmlType.F32, ne);
    }
}
