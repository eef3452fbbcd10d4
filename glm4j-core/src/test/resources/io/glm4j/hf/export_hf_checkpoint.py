"""Exports a llama.cpp `glm4moe` GGUF as a Hugging Face checkpoint directory (Glm4MoeForCausalLM), the
way Z.ai publishes GLM-4.5(-Air): config.json, generation_config.json, two safetensors shards with
model.safetensors.index.json, tokenizer.json, tokenizer_config.json and chat_template.jinja.

  --weights f32  every tensor stored as F32, exactly the GGUF's values (an F32 GGUF only)
  --weights fp8  compressed-tensors FP8 as in GLM-4.5-Air-FP8: each Linear weight F8_E4M3 [out, in] with a
                 BF16 weight_scale [out, 1] per output row (scale = bf16(f32(max|row|) / 448), values
                 e4m3fn(W / scale) rounded to nearest, ties to even); the router, lm_head and eh_proj (the
                 `ignore` list) and the norms, biases and embeddings BF16; the router bias F32.
                 --dequantized OUT.gguf also writes the GGUF's metadata with the values the checkpoint
                 stands for (fp8 * scale and bf16 widened, in float32) as F32 tensors, for llama.cpp goldens.

The safetensors files are written by hand (8-byte header length, compact JSON header padded with spaces
to a multiple of 8, data in header order); numpy and gguf-py's reader are all it needs.

Usage: PYTHONPATH=<llama.cpp>/gguf-py python3 export_hf_checkpoint.py SRC.gguf OUT_DIR --weights f32|fp8 [--dequantized OUT.gguf]
"""
import argparse
import json
import os
import re
import struct

import numpy as np
from gguf import GGUFReader, GGUFValueType, GGUFWriter, GGMLQuantizationType

ARCH = "glm4moe"
GLM4_SPLIT = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
              "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
GLOBAL = {"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
          "output.weight": "lm_head.weight"}
IN_LAYER = {
    "attn_norm.weight": "input_layernorm.weight", "attn_q.weight": "self_attn.q_proj.weight",
    "attn_q.bias": "self_attn.q_proj.bias", "attn_k.weight": "self_attn.k_proj.weight", "attn_k.bias": "self_attn.k_proj.bias",
    "attn_v.weight": "self_attn.v_proj.weight", "attn_v.bias": "self_attn.v_proj.bias",
    "attn_output.weight": "self_attn.o_proj.weight", "attn_q_norm.weight": "self_attn.q_norm.weight",
    "attn_k_norm.weight": "self_attn.k_norm.weight", "post_attention_norm.weight": "post_attention_layernorm.weight",
    "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight", "ffn_down.weight": "mlp.down_proj.weight",
    "ffn_gate_inp.weight": "mlp.gate.weight", "exp_probs_b.bias": "mlp.gate.e_score_correction_bias",
    "ffn_gate_shexp.weight": "mlp.shared_experts.gate_proj.weight", "ffn_up_shexp.weight": "mlp.shared_experts.up_proj.weight",
    "ffn_down_shexp.weight": "mlp.shared_experts.down_proj.weight", "nextn.eh_proj.weight": "eh_proj.weight",
    "nextn.enorm.weight": "enorm.weight", "nextn.hnorm.weight": "hnorm.weight", "nextn.embed_tokens.weight": "embed_tokens.weight",
    "nextn.shared_head_norm.weight": "shared_head.norm.weight", "nextn.shared_head_head.weight": "shared_head.head.weight"}
# Linear weights kept unquantized in the FP8 checkpoint (compressed-tensors `ignore`).
FP8_IGNORED = re.compile(r"^(lm_head|model\.layers\.\d+\.mlp\.gate|model\.layers\.\d+\.eh_proj)\.weight$")


def hf_names(gguf_name, array):
    """(hf name, array in HF layout) pairs of one GGUF tensor; a stack of experts gives one pair per expert."""
    if gguf_name in GLOBAL:
        return [(GLOBAL[gguf_name], array)]
    m = re.match(r"^blk\.(\d+)\.ffn_(gate|up|down)_exps\.weight$", gguf_name)
    if m:
        return [(f"model.layers.{m[1]}.mlp.experts.{e}.{m[2]}_proj.weight", array[e]) for e in range(array.shape[0])]
    m = re.match(r"^blk\.(\d+)\.(.+)$", gguf_name)
    return [(f"model.layers.{m[1]}.{IN_LAYER[m[2]]}", array)]


def bf16_bits(x):
    """float32 -> bfloat16 bits, round to nearest, ties to even (finite values)."""
    b = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_value(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


E4M3 = np.array([(m / 8 * 2.0 ** -6) if e == 0 else (1 + m / 8) * 2.0 ** (e - 7)
                 for code in range(0x7F) for e, m in [(code >> 3, code & 7)]])   # codes 0x00..0x7E, increasing


def e4m3_codes(x):
    """float64 -> e4m3fn codes, round to nearest, ties to even (the even code), saturating at 448."""
    a = np.minimum(np.abs(x), 448.0)
    hi = np.clip(np.searchsorted(E4M3, a), 0, 0x7E)
    lo = np.maximum(hi - 1, 0)
    d_lo, d_hi = a - E4M3[lo], E4M3[hi] - a
    code = np.where(d_lo < d_hi, lo, np.where(d_hi < d_lo, hi, np.where(lo % 2 == 0, lo, hi)))
    return (code | np.where(np.signbit(x), 0x80, 0)).astype(np.uint8)


def fp8_quantize(w):
    """Per-row FP8: (codes [out,in], bf16 scale bits [out,1], the float32 values they stand for)."""
    amax = np.abs(w).max(axis=1, keepdims=True).astype(np.float32)
    scale_bits = bf16_bits(np.where(amax > 0, amax / np.float32(448), np.float32(1)))
    scale = bf16_value(scale_bits).astype(np.float64)
    codes = e4m3_codes(w.astype(np.float64) / scale)
    values = (np.where(codes & 0x80, -1, 1) * E4M3[codes & 0x7F]).astype(np.float32) * bf16_value(scale_bits)
    return codes, scale_bits, values


def stored(name, w, mode):
    """The safetensors entries of one HF tensor and the float32 values the checkpoint stands for."""
    if mode == "f32":
        return [(name, "F32", w.astype(np.float32))], w.astype(np.float32)
    if name.endswith("e_score_correction_bias"):
        return [(name, "F32", w.astype(np.float32))], w.astype(np.float32)
    if w.ndim == 2 and name.endswith("_proj.weight") or name.endswith("shared_head.head.weight"):
        if not FP8_IGNORED.match(name):
            codes, scale_bits, values = fp8_quantize(w)
            return [(name, "F8_E4M3", codes), (name + "_scale", "BF16", scale_bits)], values
    bits = bf16_bits(w)
    return [(name, "BF16", bits)], bf16_value(bits)


def write_safetensors(path, entries):
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, dtype, data in entries:
        header[name] = {"dtype": dtype, "shape": list(data.shape), "data_offsets": [offset, offset + data.nbytes]}
        offset += data.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, data in entries:
            f.write(np.ascontiguousarray(data).tobytes())


def f32_json(x):
    return float(str(np.float32(x)))


def config(kv, vocab, qk_norm, mode):
    g = lambda k: kv[f"{ARCH}.{k}"]
    nextn = g("nextn_predict_layers")
    c = {
        "architectures": ["Glm4MoeForCausalLM"], "attention_bias": True, "attention_dropout": 0.0,
        "eos_token_id": [kv["tokenizer.ggml.eos_token_id"], kv["tokenizer.ggml.eot_token_id"], kv["tokenizer.ggml.eom_token_id"]],
        "first_k_dense_replace": g("leading_dense_block_count"), "head_dim": g("attention.key_length"),
        "hidden_act": "silu", "hidden_size": g("embedding_length"), "initializer_range": 0.02,
        "intermediate_size": g("feed_forward_length"), "max_position_embeddings": g("context_length"), "model_type": "glm4_moe",
        "moe_intermediate_size": g("expert_feed_forward_length"), "n_group": g("expert_group_count"),
        "n_routed_experts": g("expert_count"), "n_shared_experts": g("expert_shared_count"), "norm_topk_prob": bool(g("expert_weights_norm")),
        "num_attention_heads": g("attention.head_count"), "num_experts_per_tok": g("expert_used_count"),
        "num_hidden_layers": g("block_count") - nextn, "num_key_value_heads": g("attention.head_count_kv"),
        "num_nextn_predict_layers": nextn, "pad_token_id": kv["tokenizer.ggml.padding_token_id"],
        "partial_rotary_factor": g("rope.dimension_count") / g("attention.key_length"), "rms_norm_eps": f32_json(g("attention.layer_norm_rms_epsilon")),
        "rope_scaling": None, "rope_theta": f32_json(g("rope.freq_base")), "routed_scaling_factor": f32_json(g("expert_weights_scale")),
        "tie_word_embeddings": False, "topk_group": g("expert_group_used_count"), "torch_dtype": "bfloat16" if mode == "fp8" else "float32",
        "transformers_version": "4.54.0", "use_cache": True, "use_qk_norm": qk_norm, "vocab_size": vocab}
    if mode == "fp8":
        layers = c["num_hidden_layers"]
        ignore = ["lm_head"] + [f"model.layers.{i}.mlp.gate" for i in range(c["first_k_dense_replace"], layers + nextn)]
        ignore += [f"model.layers.{i}.eh_proj" for i in range(layers, layers + nextn)]
        c["quantization_config"] = {
            "config_groups": {"group_0": {
                "input_activations": {"dynamic": True, "num_bits": 8, "strategy": "token", "symmetric": True, "type": "float"},
                "output_activations": None, "targets": ["Linear"],
                "weights": {"dynamic": False, "num_bits": 8, "observer": "minmax", "strategy": "channel", "symmetric": True, "type": "float"}}},
            "format": "float-quantized", "ignore": ignore, "kv_cache_scheme": None, "quant_method": "compressed-tensors",
            "quantization_status": "compressed", "sparsity_config": {}}
    return c


def tokenizer_files(kv, out):
    tokens, types, merges = kv["tokenizer.ggml.tokens"], kv["tokenizer.ggml.token_type"], kv["tokenizer.ggml.merges"]
    vocab = {t: i for i, (t, ty) in enumerate(zip(tokens, types)) if ty == 1}
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": ty == 3}
             for i, (t, ty) in enumerate(zip(tokens, types)) if ty in (3, 4)]
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": GLM4_SPLIT}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": True, "vocab": vocab,
                  "merges": [m.split(" ") for m in merges]}}
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=2)
    eos = tokens[kv["tokenizer.ggml.eos_token_id"]]
    tc = {"added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added},
          "clean_up_tokenization_spaces": False, "eos_token": eos, "model_max_length": 128000, "pad_token": tokens[kv["tokenizer.ggml.padding_token_id"]],
          "padding_side": "left", "tokenizer_class": "PreTrainedTokenizerFast"}
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(tc, f, ensure_ascii=False, indent=2, sort_keys=True)
    with open(os.path.join(out, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(kv["tokenizer.chat_template"])
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump({"eos_token_id": [kv["tokenizer.ggml.eos_token_id"], kv["tokenizer.ggml.eot_token_id"], kv["tokenizer.ggml.eom_token_id"]],
                   "pad_token_id": kv["tokenizer.ggml.padding_token_id"], "transformers_version": "4.54.0"}, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--weights", choices=["f32", "fp8"], required=True)
    ap.add_argument("--dequantized")
    args = ap.parse_args()
    reader = GGUFReader(args.src)
    kv = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("GGUF.")}
    os.makedirs(args.out, exist_ok=True)
    entries, values = [], {}
    for t in reader.tensors:
        if t.tensor_type != GGMLQuantizationType.F32:
            raise SystemExit(f"{t.name} is {t.tensor_type.name}; export an F32 GGUF")
        array = np.asarray(t.data, np.float32).reshape([int(d) for d in reversed(t.shape)])
        for name, w in hf_names(t.name, array):
            e, v = stored(name, w, args.weights)
            entries += e
            values[name] = v
    vocab = len(kv["tokenizer.ggml.tokens"])
    qk_norm = any(t.name.endswith("attn_q_norm.weight") for t in reader.tensors)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config(kv, vocab, qk_norm, args.weights), f, indent=2, sort_keys=True)
    tokenizer_files(kv, args.out)
    total = sum(d.nbytes for _, _, d in entries)
    written, shards = 0, [[], []]
    for e in entries:   # the first shard takes entries until half of the bytes are written
        shards[0 if written < total / 2 else 1].append(e)
        written += e[2].nbytes
    weight_map = {}
    for i, shard in enumerate(shards):
        file = f"model-{i + 1:05d}-of-00002.safetensors"
        write_safetensors(os.path.join(args.out, file), shard)
        weight_map.update({name: file for name, _, _ in shard})
    with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)
    if args.dequantized:
        write_dequantized(reader, values, args.dequantized)


def write_dequantized(reader, values, path):
    w = GGUFWriter(path, ARCH)
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue
        sub = field.types[-1] if field.types[0] == GGUFValueType.ARRAY else None
        w.add_key_value(key, field.contents(), field.types[0], sub)
    for t in reader.tensors:
        parts = [values[name] for name, _ in hf_names(t.name, np.zeros([int(d) for d in reversed(t.shape)], np.float32))]
        w.add_tensor(t.name, np.stack(parts) if len(parts) > 1 else parts[0])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
