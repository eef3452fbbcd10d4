package io.glm4j.hf;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face tensor names of a GLM-4.5 checkpoint for the GGUF names llama.cpp (and glm4j's model)
 * use — the mapping of gguf-py's {@code TensorNameMap} for {@code GLM4_MOE}. The routed experts are
 * separate matrices in a checkpoint ({@code mlp.experts.{e}.up_proj.weight}) and one stacked tensor in
 * GGUF; the NextN block {@code blk.L.nextn.*} is {@code model.layers.L.*}.
 */
public final class HfTensorNames {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");
    private static final Pattern EXPERTS = Pattern.compile("^blk\\.(\\d+)\\.ffn_(gate|up|down)_exps\\.weight$");

    private static final Map<String, String> GLOBAL = Map.of(
            "token_embd.weight", "model.embed_tokens.weight",
            "output_norm.weight", "model.norm.weight",
            "output.weight", "lm_head.weight");

    private static final Map<String, String> IN_LAYER = Map.ofEntries(
            Map.entry("attn_norm.weight", "input_layernorm.weight"),
            Map.entry("attn_q.weight", "self_attn.q_proj.weight"),
            Map.entry("attn_q.bias", "self_attn.q_proj.bias"),
            Map.entry("attn_k.weight", "self_attn.k_proj.weight"),
            Map.entry("attn_k.bias", "self_attn.k_proj.bias"),
            Map.entry("attn_v.weight", "self_attn.v_proj.weight"),
            Map.entry("attn_v.bias", "self_attn.v_proj.bias"),
            Map.entry("attn_output.weight", "self_attn.o_proj.weight"),
            Map.entry("attn_q_norm.weight", "self_attn.q_norm.weight"),
            Map.entry("attn_k_norm.weight", "self_attn.k_norm.weight"),
            Map.entry("post_attention_norm.weight", "post_attention_layernorm.weight"),
            Map.entry("ffn_gate.weight", "mlp.gate_proj.weight"),
            Map.entry("ffn_up.weight", "mlp.up_proj.weight"),
            Map.entry("ffn_down.weight", "mlp.down_proj.weight"),
            Map.entry("ffn_gate_inp.weight", "mlp.gate.weight"),
            Map.entry("exp_probs_b.bias", "mlp.gate.e_score_correction_bias"),
            Map.entry("ffn_gate_shexp.weight", "mlp.shared_experts.gate_proj.weight"),
            Map.entry("ffn_up_shexp.weight", "mlp.shared_experts.up_proj.weight"),
            Map.entry("ffn_down_shexp.weight", "mlp.shared_experts.down_proj.weight"),
            Map.entry("nextn.eh_proj.weight", "eh_proj.weight"),
            Map.entry("nextn.enorm.weight", "enorm.weight"),
            Map.entry("nextn.hnorm.weight", "hnorm.weight"),
            Map.entry("nextn.embed_tokens.weight", "embed_tokens.weight"),
            Map.entry("nextn.shared_head_norm.weight", "shared_head.norm.weight"),
            Map.entry("nextn.shared_head_head.weight", "shared_head.head.weight"));

    private HfTensorNames() {}

    /** The checkpoint's name for a (not stacked) GGUF tensor, or null if GGUF has no such tensor for glm4moe. */
    public static String of(String gguf) {
        String global = GLOBAL.get(gguf);
        if (global != null) return global;
        Matcher m = LAYER.matcher(gguf);
        if (!m.matches()) return null;
        String inLayer = IN_LAYER.get(m.group(2));
        return inLayer == null ? null : "model.layers." + m.group(1) + "." + inLayer;
    }

    /** Whether a GGUF name is a stack of routed experts ({@code blk.N.ffn_*_exps.weight}). */
    public static boolean isExpertStack(String gguf) {
        return EXPERTS.matcher(gguf).matches();
    }

    /** The checkpoint's name of expert {@code e} of a stacked GGUF tensor. */
    public static String ofExpert(String ggufStack, int e) {
        Matcher m = EXPERTS.matcher(ggufStack);
        if (!m.matches()) throw new IllegalArgumentException(ggufStack + " is not an expert stack");
        return "model.layers." + m.group(1) + ".mlp.experts." + e + "." + m.group(2) + "_proj.weight";
    }
}
