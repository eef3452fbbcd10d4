#!/usr/bin/env python3
"""Write tiny random-weight llama.cpp `glm4moe` (GLM-4.5 / GLM-4.5-Air) GGUF files.

Usage: gen_glm4moe.py VARIANT OUT.gguf [--bias BIAS.json] [--fixture FIXTURE_F32.gguf]

The file has the metadata keys (in file order), tensor names, shapes and order that
llama.cpp's convert_hf_to_gguf.py (class Glm4MoeModel) writes for a GLM-4.5 checkpoint with the
same config.json.  The tokenizer metadata (tokens, token types, merges, pre-tokenizer, special
ids, chat template) is copied unchanged from the shared fixture tiny-glm45air-F32.gguf, so every
file has its 640-token vocabulary.

Weights are drawn in HF layout ([out, in]) from numpy.random.default_rng(seed) and written F32.
`exp_probs_b` (e_score_correction_bias) = the random draw plus the per-layer offsets in BIAS.json
(chosen afterwards so no top-k expert/group choice is near a tie on the reference prompts).
Requires gguf-py (PYTHONPATH=<llama.cpp>/gguf-py) and numpy.
"""
import argparse
import json

import numpy as np
import gguf

ARCH = "glm4moe"
FIXTURE = "../shared/fixtures/glm45/tiny-glm45air-F32.gguf"  # relative to the glm4j repository root

# HF config.json fields of each variant (same names as Glm4MoeForCausalLM's config).
VARIANTS = {
    # GLM-4.5 (355B) switches: q/k norm, routed_scaling_factor 2.5, first_k_dense_replace 3.
    "full": dict(
        name="Tiny GLM 4.5 (random weights)", seed=4506,
        hidden_size=128, num_attention_heads=4, num_key_value_heads=2, head_dim=64,
        partial_rotary_factor=0.5, rope_theta=1e6, rms_norm_eps=1e-5, intermediate_size=256,
        moe_intermediate_size=64, n_routed_experts=24, num_experts_per_tok=6, n_shared_experts=1,
        n_group=1, topk_group=1, norm_topk_prob=True, routed_scaling_factor=2.5,
        first_k_dense_replace=3, num_hidden_layers=5, num_nextn_predict_layers=1,
        attention_bias=True, use_qk_norm=True, max_position_embeddings=4096),
    # Group-limited routing (n_group 4, topk_group 2); dims multiples of 32 (Q4_1/Q5_1/F16/BF16 copies).
    "group": dict(
        name="Tiny GLM 4.5 group-routing (random weights)", seed=4507,
        hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=32,
        partial_rotary_factor=0.5, rope_theta=1e6, rms_norm_eps=1e-5, intermediate_size=128,
        moe_intermediate_size=32, n_routed_experts=16, num_experts_per_tok=4, n_shared_experts=1,
        n_group=4, topk_group=2, norm_topk_prob=True, routed_scaling_factor=1.0,
        first_k_dense_replace=1, num_hidden_layers=3, num_nextn_predict_layers=1,
        attention_bias=True, use_qk_norm=False, max_position_embeddings=4096),
    # Every matrix row length a multiple of 256 so llama-quantize really uses K-quant types.
    "k256": dict(
        name="Tiny GLM 4.5 K-quant dims (random weights)", seed=4508,
        hidden_size=256, num_attention_heads=4, num_key_value_heads=2, head_dim=64,
        partial_rotary_factor=0.5, rope_theta=1e6, rms_norm_eps=1e-5, intermediate_size=256,
        moe_intermediate_size=256, n_routed_experts=4, num_experts_per_tok=2, n_shared_experts=1,
        n_group=1, topk_group=1, norm_topk_prob=True, routed_scaling_factor=2.5,
        first_k_dense_replace=1, num_hidden_layers=2, num_nextn_predict_layers=1,
        attention_bias=True, use_qk_norm=True, max_position_embeddings=4096),
}


def hf_weights(cfg, vocab):
    """Random HF-layout tensors in the order the checkpoint lists them (per layer: attention, norms, mlp)."""
    rng = np.random.default_rng(cfg["seed"])
    H, hd = cfg["hidden_size"], cfg["head_dim"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    F, Fe, E = cfg["intermediate_size"], cfg["moe_intermediate_size"], cfg["n_routed_experts"]
    Fs = Fe * cfg["n_shared_experts"]
    L = cfg["num_hidden_layers"]
    n_blocks = L + cfg["num_nextn_predict_layers"]

    def mat(out_dim, in_dim, std=None):
        return rng.normal(0.0, std if std is not None else 1.0 / np.sqrt(in_dim), (out_dim, in_dim))

    def norm(n):
        return 1.0 + rng.normal(0.0, 0.1, n)

    t = {"model.embed_tokens.weight": rng.normal(0.0, 0.5, (vocab, H))}
    for i in range(n_blocks):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = norm(H)
        t[p + "self_attn.q_proj.weight"] = mat(nh * hd, H)
        t[p + "self_attn.q_proj.bias"] = rng.normal(0.0, 0.1, nh * hd)
        t[p + "self_attn.k_proj.weight"] = mat(nkv * hd, H)
        t[p + "self_attn.k_proj.bias"] = rng.normal(0.0, 0.1, nkv * hd)
        t[p + "self_attn.v_proj.weight"] = mat(nkv * hd, H)
        t[p + "self_attn.v_proj.bias"] = rng.normal(0.0, 0.05, nkv * hd)
        t[p + "self_attn.o_proj.weight"] = mat(H, nh * hd)
        if cfg["use_qk_norm"]:
            t[p + "self_attn.q_norm.weight"] = norm(hd)
            t[p + "self_attn.k_norm.weight"] = norm(hd)
        t[p + "post_attention_layernorm.weight"] = norm(H)
        if i < cfg["first_k_dense_replace"]:
            t[p + "mlp.gate_proj.weight"] = mat(F, H)
            t[p + "mlp.up_proj.weight"] = mat(F, H)
            t[p + "mlp.down_proj.weight"] = mat(H, F)
        else:
            t[p + "mlp.gate.weight"] = mat(E, H, 0.1)
            t[p + "mlp.gate.e_score_correction_bias"] = rng.normal(0.0, 0.1, E)
            for e in range(E):
                t[p + f"mlp.experts.{e}.gate_proj.weight"] = mat(Fe, H)
                t[p + f"mlp.experts.{e}.up_proj.weight"] = mat(Fe, H)
                t[p + f"mlp.experts.{e}.down_proj.weight"] = mat(H, Fe)
            t[p + "mlp.shared_experts.gate_proj.weight"] = mat(Fs, H)
            t[p + "mlp.shared_experts.up_proj.weight"] = mat(Fs, H)
            t[p + "mlp.shared_experts.down_proj.weight"] = mat(H, Fs)
        if i >= L:  # NextN / MTP block: independent embed_tokens and shared_head.head
            t[p + "eh_proj.weight"] = mat(H, 2 * H)
            t[p + "embed_tokens.weight"] = rng.normal(0.0, 0.5, (vocab, H))
            t[p + "enorm.weight"] = norm(H)
            t[p + "hnorm.weight"] = norm(H)
            t[p + "shared_head.head.weight"] = mat(vocab, H, 0.15)
            t[p + "shared_head.norm.weight"] = norm(H)
    t["model.norm.weight"] = norm(H)
    t["lm_head.weight"] = mat(vocab, H, 0.15)
    return t


def gguf_tensors(cfg, hf):
    """HF tensors -> (GGUF name, numpy array) in converter order; routed experts stacked per layer."""
    E = cfg["n_routed_experts"]
    simple = {
        "input_layernorm.weight": "attn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
        "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
        "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
        "self_attn.o_proj.weight": "attn_output.weight",
        "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
        "post_attention_layernorm.weight": "post_attention_norm.weight",
        "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
        "mlp.down_proj.weight": "ffn_down.weight",
        "mlp.gate.weight": "ffn_gate_inp.weight", "mlp.gate.e_score_correction_bias": "exp_probs_b.bias",
        "mlp.shared_experts.gate_proj.weight": "ffn_gate_shexp.weight",
        "mlp.shared_experts.up_proj.weight": "ffn_up_shexp.weight",
        "mlp.shared_experts.down_proj.weight": "ffn_down_shexp.weight",
        "eh_proj.weight": "nextn.eh_proj.weight", "embed_tokens.weight": "nextn.embed_tokens.weight",
        "enorm.weight": "nextn.enorm.weight", "hnorm.weight": "nextn.hnorm.weight",
        "shared_head.head.weight": "nextn.shared_head_head.weight",
        "shared_head.norm.weight": "nextn.shared_head_norm.weight",
    }
    out = []
    pending = {}
    for name, data in hf.items():
        if name == "model.embed_tokens.weight":
            out.append(("token_embd.weight", data))
        elif name == "model.norm.weight":
            out.append(("output_norm.weight", data))
        elif name == "lm_head.weight":
            out.append(("output.weight", data))
        else:
            _, _, bid, rest = name.split(".", 3)
            if rest.startswith("mlp.experts."):
                pending[rest] = data
                if len(pending) == 3 * E:  # all experts of this layer seen: stack down, gate, up
                    for w, g in (("down_proj", "ffn_down_exps"), ("gate_proj", "ffn_gate_exps"), ("up_proj", "ffn_up_exps")):
                        out.append((f"blk.{bid}.{g}.weight",
                                    np.stack([pending[f"mlp.experts.{e}.{w}.weight"] for e in range(E)])))
                    pending = {}
            else:
                out.append((f"blk.{bid}.{simple[rest]}", data))
    return out


def write(variant, path, bias_offsets, fixture):
    cfg = VARIANTS[variant]
    src = gguf.GGUFReader(fixture)
    vocab = len(src.fields["tokenizer.ggml.tokens"].contents())
    hf = hf_weights(cfg, vocab)
    for layer, off in bias_offsets.items():
        key = f"model.layers.{layer}.mlp.gate.e_score_correction_bias"
        hf[key] = hf[key] + np.asarray(off, dtype=np.float64)

    w = gguf.GGUFWriter(path, ARCH)
    w.add_type("model")
    w.add_name(cfg["name"])
    w.add_license("mit")
    hd = cfg["head_dim"]
    w.add_block_count(cfg["num_hidden_layers"] + cfg["num_nextn_predict_layers"])
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_head_count_kv(cfg["num_key_value_heads"])
    w.add_rope_freq_base(cfg["rope_theta"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_expert_count(cfg["n_routed_experts"])
    w.add_expert_used_count(cfg["num_experts_per_tok"])
    w.add_expert_group_count(cfg["n_group"])
    w.add_expert_group_used_count(cfg["topk_group"])
    w.add_key_length(hd)
    w.add_value_length(hd)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_rope_dimension_count(int(hd * cfg["partial_rotary_factor"]))
    w.add_expert_feed_forward_length(cfg["moe_intermediate_size"])
    w.add_expert_shared_count(cfg["n_shared_experts"])
    w.add_leading_dense_block_count(cfg["first_k_dense_replace"])
    w.add_expert_gating_func(gguf.ExpertGatingFuncType.SIGMOID)
    w.add_expert_weights_scale(cfg["routed_scaling_factor"])
    w.add_expert_weights_norm(cfg["norm_topk_prob"])
    w.add_nextn_predict_layers(cfg["num_nextn_predict_layers"])
    # tokenizer keys + quantization version: copied from the fixture in its order
    for key, field in src.fields.items():
        if key.startswith("tokenizer.") or key == "general.quantization_version":
            vtype = field.types[0]
            sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
            w.add_key_value(key, field.contents(), vtype, sub)

    for name, data in gguf_tensors(cfg, hf):
        w.add_tensor(name, np.ascontiguousarray(data, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return cfg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("variant", choices=sorted(VARIANTS))
    ap.add_argument("out")
    ap.add_argument("--bias", help="json {layer: [offsets...]} added to e_score_correction_bias")
    ap.add_argument("--fixture", default=FIXTURE)
    a = ap.parse_args()
    offsets = {}
    if a.bias:
        offsets = {int(k): v for k, v in json.load(open(a.bias)).get(a.variant, {}).items()}
    write(a.variant, a.out, offsets, a.fixture)


if __name__ == "__main__":
    main()
