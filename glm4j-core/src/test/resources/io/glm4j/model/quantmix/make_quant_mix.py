"""Records which storage type llama-quantize gives every tensor of GLM-4.5-Air and GLM-4.5 for each
file type, the outside reference for glm4j's QuantMix and MemoryEstimate.

It writes a sparse GGUF (tensor directory of a BF16 conversion, data left as a hole, so it takes no
disk space) for each model with gguf-py, runs `llama-quantize --dry-run` on it for every file type,
and parses the per-tensor types from its log. Output:
  air-types.tsv    one row per GLM-4.5-Air tensor (converter order): name, then its type per file type
  quant-sizes.tsv  model, file type, total tensor bytes (the sum over tensors of their quantized size)

Usage: GGUF_PY=/path/to/llama.cpp/gguf-py LLAMA_QUANTIZE=/path/to/llama.cpp/build/bin/llama-quantize \
       python3 make_quant_mix.py [work dir]
"""
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.environ["GGUF_PY"])
import gguf  # noqa: E402
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType as T  # noqa: E402

FILE_TYPES = ["F32", "F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_1", "Q5_0", "Q4_K_M", "Q4_K_S",
              "Q4_1", "Q4_0", "IQ4_XS", "IQ4_NL", "Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K"]
MODELS = {  # hidden, layers, dense FFN, experts, expert FFN, leading dense layers, q/k norm (SPEC §1)
    "glm-4.5-air": (4096, 46, 10944, 128, 1408, 1, False),
    "glm-4.5": (5120, 92, 12288, 160, 1536, 3, True),
}
VOCAB, HEADS, KV_HEADS, HEAD_DIM = 151552, 96, 8, 128


def layout(h, layers, dense, experts, fe, k_dense, qk_norm):
    """(name, ne) in the order of convert_hf_to_gguf.py for glm4moe (see the glm45 fixture README)."""
    q, kv = HEADS * HEAD_DIM, KV_HEADS * HEAD_DIM
    t = [("token_embd.weight", (h, VOCAB))]
    for i in range(layers + 1):
        p = f"blk.{i}."
        t += [(p + "attn_norm.weight", (h,)), (p + "attn_q.weight", (h, q)), (p + "attn_q.bias", (q,)),
              (p + "attn_k.weight", (h, kv)), (p + "attn_k.bias", (kv,)), (p + "attn_v.weight", (h, kv)),
              (p + "attn_v.bias", (kv,)), (p + "attn_output.weight", (q, h))]
        if qk_norm:
            t += [(p + "attn_q_norm.weight", (HEAD_DIM,)), (p + "attn_k_norm.weight", (HEAD_DIM,))]
        t += [(p + "post_attention_norm.weight", (h,))]
        if i < k_dense:
            t += [(p + "ffn_gate.weight", (h, dense)), (p + "ffn_up.weight", (h, dense)), (p + "ffn_down.weight", (dense, h))]
        else:
            t += [(p + "ffn_gate_inp.weight", (h, experts)), (p + "exp_probs_b.bias", (experts,)),
                  (p + "ffn_gate_exps.weight", (h, fe, experts)), (p + "ffn_up_exps.weight", (h, fe, experts)),
                  (p + "ffn_down_exps.weight", (fe, h, experts)), (p + "ffn_gate_shexp.weight", (h, fe)),
                  (p + "ffn_up_shexp.weight", (h, fe)), (p + "ffn_down_shexp.weight", (fe, h))]
        if i == layers:
            n = p + "nextn."
            t += [(n + "eh_proj.weight", (2 * h, h)), (n + "embed_tokens.weight", (h, VOCAB)), (n + "enorm.weight", (h,)),
                  (n + "hnorm.weight", (h,)), (n + "shared_head_head.weight", (h, VOCAB)), (n + "shared_head_norm.weight", (h,))]
    return t + [("output_norm.weight", (h,)), ("output.weight", (h, VOCAB))]


def write_sparse_gguf(path, model):
    h, layers, dense, experts, fe, k_dense, qk_norm = MODELS[model]
    w = gguf.GGUFWriter(path, "glm4moe")
    a = "glm4moe."
    for key, value in [("block_count", layers + 1), ("context_length", 131072), ("embedding_length", h),
                       ("feed_forward_length", dense), ("attention.head_count", HEADS), ("attention.head_count_kv", KV_HEADS),
                       ("expert_count", experts), ("expert_used_count", 8), ("attention.key_length", HEAD_DIM),
                       ("attention.value_length", HEAD_DIM), ("rope.dimension_count", 64), ("expert_feed_forward_length", fe),
                       ("expert_shared_count", 1), ("leading_dense_block_count", k_dense), ("expert_gating_func", 2),
                       ("nextn_predict_layers", 1)]:
        w.add_uint32(a + key, value)
    w.add_float32(a + "rope.freq_base", 1e6)
    w.add_float32(a + "attention.layer_norm_rms_epsilon", 1e-5)
    w.add_float32(a + "expert_weights_scale", 1.0)
    w.add_bool(a + "expert_weights_norm", True)
    w.add_uint32("general.file_type", 32)
    tensors = layout(h, layers, dense, experts, fe, k_dense, qk_norm)
    for name, ne in tensors:
        bf16 = len(ne) > 1 and "ffn_gate_inp" not in name
        count = int(np.prod(ne))
        w.add_tensor_info(name, tuple(reversed(ne)), np.dtype(np.uint16 if bf16 else np.float32),
                          count * (2 if bf16 else 4), raw_dtype=T.BF16 if bf16 else T.F32)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    f = w.fout[0]
    end = f.tell()
    end += -end % 32
    for name, ne in tensors:
        nbytes = int(np.prod(ne)) * (2 if len(ne) > 1 and "ffn_gate_inp" not in name else 4)
        end += nbytes + -nbytes % 32
    f.truncate(end)
    f.close()
    return tensors


def dry_run_types(path, file_type):
    log = subprocess.run([os.environ["LLAMA_QUANTIZE"], "--dry-run", path, file_type],
                         capture_output=True, text=True, check=True).stderr
    types = {}
    for line in log.splitlines():
        m = re.match(r"\[\s*\d+/\s*\d+\]\s+(\S+)\s+- .*type =\s+(\w+),.*?(?:\((\w+)\))?\s*$", line)
        if m:
            types[m.group(1)] = (m.group(3) or m.group(2)).upper()
    return types


def tensor_bytes(ne, type_name):
    block, size = GGML_QUANT_SIZES[T[type_name]]
    return int(np.prod(ne)) // block * size


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    here = os.path.dirname(os.path.abspath(__file__))
    sizes = []
    for model in MODELS:
        path = os.path.join(work, model + "-bf16-sparse.gguf")
        tensors = write_sparse_gguf(path, model)
        columns = {}
        for ft in FILE_TYPES:
            types = dry_run_types(path, ft)
            assert len(types) == len(tensors), (model, ft, len(types))
            columns[ft] = types
            sizes.append((model, ft, sum(tensor_bytes(ne, types[name]) for name, ne in tensors)))
        if model == "glm-4.5-air":
            with open(os.path.join(here, "air-types.tsv"), "w") as out:
                out.write("\t".join(["tensor"] + FILE_TYPES) + "\n")
                for name, _ in tensors:
                    out.write("\t".join([name] + [columns[ft][name] for ft in FILE_TYPES]) + "\n")
        os.remove(path)
    with open(os.path.join(here, "quant-sizes.tsv"), "w") as out:
        out.write("model\tfile_type\tbytes\n")
        for model, ft, total in sizes:
            out.write(f"{model}\t{ft}\t{total}\n")


if __name__ == "__main__":
    main()
