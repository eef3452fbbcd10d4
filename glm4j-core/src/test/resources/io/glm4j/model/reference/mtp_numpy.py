"""Independent float64 NumPy forward pass of a llama.cpp `glm4moe` GGUF (GLM-4.5 / GLM-4.5-Air),
main model plus the NextN (MTP) head, and a writer of NextN goldens.

Weights are read with gguf-py's GGUFReader and dequantized with gguf-py (exact dequantization);
all activations are float64.  Written from the model description (HF Glm4MoeForCausalLM semantics,
the NextN head as vLLM/SGLang feed it), not from llama.cpp code.

Usage (PYTHONPATH=<llama.cpp>/gguf-py):
  mtp_numpy.py check  FIXTURE.gguf              # compare with the fixture golden's `mtp` fields
  mtp_numpy.py golden MODEL.gguf                # write MODEL.mtp.golden.json/.bin beside MODEL.gguf
"""
import hashlib
import json
import os
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

ARCH = "glm4moe"


class GlmModel:
    def __init__(self, path):
        r = GGUFReader(path)
        self.path = path
        self.kv = {}
        for k, f in r.fields.items():
            if k.startswith("tokenizer.ggml.") and k.split(".")[-1] in ("tokens", "token_type", "merges"):
                continue
            self.kv[k] = f.contents()
        self.tensor_info = []
        self.w = {}
        for t in r.tensors:
            ne = [int(x) for x in t.shape]
            self.tensor_info.append({"name": t.name, "type": t.tensor_type.name, "ne": ne})
            a = dequantize(np.asarray(t.data), t.tensor_type)
            self.w[t.name] = np.asarray(a, dtype=np.float64).reshape(list(reversed(ne)))
        g = lambda k, d=None: self.kv.get(f"{ARCH}.{k}", d)
        self.n_block = g("block_count")
        self.n_nextn = g("nextn_predict_layers", 0)
        self.n_layer = self.n_block - self.n_nextn
        self.H = g("embedding_length")
        self.nh = g("attention.head_count")
        self.nkv = g("attention.head_count_kv")
        self.hd = g("attention.key_length")
        self.n_rot = g("rope.dimension_count")
        self.theta = float(g("rope.freq_base"))
        self.eps = float(g("attention.layer_norm_rms_epsilon"))
        self.E = g("expert_count")
        self.k = g("expert_used_count")
        self.n_group = max(1, g("expert_group_count", 1) or 1)
        self.group_used = g("expert_group_used_count", 1) or 1
        self.n_dense = g("leading_dense_block_count", 0)
        self.w_scale = float(g("expert_weights_scale", 1.0))
        self.w_norm = bool(g("expert_weights_norm", False))
        self.V = self.w["token_embd.weight"].shape[0]

    # ---- building blocks -------------------------------------------------------------------
    def rms(self, x, w):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * w

    def rope(self, x, pos):
        # x [T, heads, hd]; NEOX (rotate-half) pairing inside the first n_rot dims
        half = self.n_rot // 2
        inv = self.theta ** (-2.0 * np.arange(half) / self.n_rot)
        ang = pos[:, None].astype(np.float64) * inv[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        a, b = x[..., :half], x[..., half:self.n_rot]
        out = x.copy()
        out[..., :half] = a * c - b * s
        out[..., half:self.n_rot] = b * c + a * s
        return out

    def attention(self, p, a, pos):
        T = a.shape[0]
        w = self.w
        q = a @ w[p + "attn_q.weight"].T
        k = a @ w[p + "attn_k.weight"].T
        v = a @ w[p + "attn_v.weight"].T
        if p + "attn_q.bias" in w:
            q = q + w[p + "attn_q.bias"]
            k = k + w[p + "attn_k.bias"]
            v = v + w[p + "attn_v.bias"]
        q = q.reshape(T, self.nh, self.hd)
        k = k.reshape(T, self.nkv, self.hd)
        v = v.reshape(T, self.nkv, self.hd)
        if p + "attn_q_norm.weight" in w:
            q = self.rms(q, w[p + "attn_q_norm.weight"])
        if p + "attn_k_norm.weight" in w:
            k = self.rms(k, w[p + "attn_k_norm.weight"])
        q = self.rope(q, pos)
        k = self.rope(k, pos)
        grp = self.nh // self.nkv
        mask = np.triu(np.full((T, T), -np.inf), 1)
        out = np.empty((T, self.nh, self.hd))
        for h in range(self.nh):
            sc = q[:, h, :] @ k[:, h // grp, :].T / np.sqrt(self.hd) + mask
            sc = np.exp(sc - sc.max(axis=1, keepdims=True))
            sc /= sc.sum(axis=1, keepdims=True)
            out[:, h, :] = sc @ v[:, h // grp, :]
        return out.reshape(T, self.nh * self.hd) @ w[p + "attn_output.weight"].T

    @staticmethod
    def swiglu(a, wg, wu, wd):
        g = a @ wg.T
        return (g / (1.0 + np.exp(-g)) * (a @ wu.T)) @ wd.T

    def route(self, p, a):
        """Returns (selected [T,k], weights [T,k], expert_gap [T], group_gap [T], hf_zero_mask_agrees [T])."""
        w = self.w
        s = 1.0 / (1.0 + np.exp(-(a @ w[p + "ffn_gate_inp.weight"].T)))
        self.router_trace[p] = s
        c = s + w[p + "exp_probs_b.bias"] if p + "exp_probs_b.bias" in w else s.copy()
        T = a.shape[0]
        group_gap = np.full(T, np.inf)
        c_inf, c_zero = c.copy(), c.copy()
        if self.n_group > 1:
            cg = c.reshape(T, self.n_group, self.E // self.n_group)
            gs = -np.sort(-cg, axis=2)[:, :, :2].sum(axis=2)          # [T, G] sum of top-2 per group
            order = np.argsort(-gs, axis=1, kind="stable")
            gs_sorted = np.take_along_axis(gs, order, axis=1)
            group_gap = gs_sorted[:, self.group_used - 1] - gs_sorted[:, self.group_used]
            keep = np.zeros((T, self.n_group), bool)
            np.put_along_axis(keep, order[:, :self.group_used], True, axis=1)
            keep_e = np.repeat(keep, self.E // self.n_group, axis=1)
            c_inf[~keep_e] = -np.inf       # llama.cpp masks with -inf
            c_zero[~keep_e] = 0.0          # HF masks with 0.0
        sel = np.argsort(-c_inf, axis=1, kind="stable")[:, :self.k]
        sel_zero = np.argsort(-c_zero, axis=1, kind="stable")[:, :self.k]
        agrees = np.array([set(sel[t]) == set(sel_zero[t]) for t in range(T)])
        cs = -np.sort(-c_inf, axis=1)
        expert_gap = cs[:, self.k - 1] - cs[:, self.k]
        wt = np.take_along_axis(s, sel, axis=1)
        if self.w_norm:
            wt = wt / np.maximum(wt.sum(axis=1, keepdims=True), 6.103515625e-5)
        wt = wt * self.w_scale
        return sel, wt, expert_gap, group_gap, agrees

    def moe(self, p, a):
        w = self.w
        sel, wt, egap, ggap, agrees = self.route(p, a)
        out = np.zeros_like(a)
        gate, up, down = w[p + "ffn_gate_exps.weight"], w[p + "ffn_up_exps.weight"], w[p + "ffn_down_exps.weight"]
        for e in np.unique(sel):
            rows, slot = np.nonzero(sel == e)
            out[rows] += wt[rows, slot][:, None] * self.swiglu(a[rows], gate[e], up[e], down[e])
        if p + "ffn_gate_shexp.weight" in w:
            out += self.swiglu(a, w[p + "ffn_gate_shexp.weight"], w[p + "ffn_up_shexp.weight"], w[p + "ffn_down_shexp.weight"])
        return out, egap, ggap, agrees

    def block(self, il, x, pos, stats):
        p = f"blk.{il}."
        w = self.w
        x = x + self.attention(p, self.rms(x, w[p + "attn_norm.weight"]), pos)
        a = self.rms(x, w[p + "post_attention_norm.weight"])
        if il < self.n_dense:
            f = self.swiglu(a, w[p + "ffn_gate.weight"], w[p + "ffn_up.weight"], w[p + "ffn_down.weight"])
        else:
            f, egap, ggap, agrees = self.moe(p, a)
            stats["expert_gap"] = np.minimum(stats["expert_gap"], egap)
            stats["group_gap"] = np.minimum(stats["group_gap"], ggap)
            stats["hf_mask_agrees"] &= agrees
        return x + f

    # ---- main model --------------------------------------------------------------------------
    def forward(self, tokens):
        """Main model (blocks 0..n_layer-1) on the token sequence. Returns logits [T,V], hidden [T,H], stats."""
        tokens = np.asarray(tokens)
        T = len(tokens)
        pos = np.arange(T)
        stats = {"expert_gap": np.full(T, np.inf), "group_gap": np.full(T, np.inf),
                 "hf_mask_agrees": np.ones(T, bool)}
        self.router_trace = {}   # block prefix -> bias-free sigmoid router scores [T, E] of the last forward
        x = self.w["token_embd.weight"][tokens]
        for il in range(self.n_layer):
            x = self.block(il, x, pos, stats)
        h = self.rms(x, self.w["output_norm.weight"])
        return h @ self.w["output.weight"].T, h, stats

    # ---- NextN (MTP) head ----------------------------------------------------------------------
    def nextn(self, next_tokens, h, mask_pos0=False):
        """NextN block L = n_layer on (next token, main final hidden after output_norm) pairs.

        next_tokens [T], h [T,H].  Position i of the MTP pass is i; attention is causal over the MTP
        positions.  Returns logits [T,V] (row i predicts the token after next_tokens[i]) and stats.
        mask_pos0 applies vLLM's `inputs_embeds[positions == 0] = 0` before enorm."""
        w = self.w
        p = f"blk.{self.n_layer}."
        nx = lambda n, fb: w[p + "nextn." + n] if p + "nextn." + n in w else w[fb]
        T = len(next_tokens)
        pos = np.arange(T)
        emb = nx("embed_tokens.weight", "token_embd.weight")[np.asarray(next_tokens)].copy()
        if mask_pos0:
            emb[0] = 0.0
        e = self.rms(emb, w[p + "nextn.enorm.weight"])
        g = self.rms(h, w[p + "nextn.hnorm.weight"])
        x = np.concatenate([e, g], axis=1) @ w[p + "nextn.eh_proj.weight"].T   # embedding half first
        stats = {"expert_gap": np.full(T, np.inf), "group_gap": np.full(T, np.inf),
                 "hf_mask_agrees": np.ones(T, bool)}
        self.router_trace = {}
        y = self.block(self.n_layer, x, pos, stats)
        out = self.rms(y, nx("shared_head_norm.weight", "output_norm.weight"))
        return out @ nx("shared_head_head.weight", "output.weight").T, stats


def _load_golden(json_path):
    g = json.load(open(json_path))
    blob = open(os.path.join(os.path.dirname(json_path), g["bin_file"]), "rb").read()
    arr = lambda ref: np.frombuffer(blob, "<f4", int(np.prod(ref["shape"])), ref["offset"]).reshape(ref["shape"])
    return g, arr


def mtp_inputs(m, p, arr):
    """S = tokens + greedy, next tokens, and NumPy's main final hidden state over S."""
    seq = list(p["tokens"]) + list(p["greedy"])
    nxt = seq[1:] + [int(np.argmax(arr(p["greedy_step_logits"])[-1]))]
    _, h, _ = m.forward(seq)
    return seq, nxt, h


def top2(lg):
    s = -np.sort(-lg, axis=1)
    return s[:, 0] - s[:, 1]


def check(gguf_path):
    m = GlmModel(gguf_path)
    g, arr = _load_golden(gguf_path[:-len(".gguf")] + ".golden.json")
    worst = {}
    for p in g["prompts"]:
        mtp = p["mtp"]
        seq, nxt, h = mtp_inputs(m, p, arr)
        assert seq == mtp["sequence"] and nxt == mtp["next_tokens"], p["name"]
        lg, st = m.nextn(nxt, h)
        lg0, st0 = m.nextn(nxt, h, mask_pos0=True)
        r = {"hidden": np.abs(h - arr(mtp["main_hidden_final_norm_numpy"])).max(),
             "logits": np.abs(lg - arr(mtp["logits"])).max(),
             "logits_vllm_mask_pos0": np.abs(lg0 - arr(mtp["logits_vllm_mask_pos0"])).max(),
             # the fixture's gap is the min over the plain and the mask_pos0 pass
             "router_gap": np.abs(np.minimum(st["expert_gap"], st0["expert_gap"]) - np.array(mtp["router_min_topk_gap"])).max(),
             "argmax_agree": int((np.argmax(lg, axis=1) == np.array(mtp["argmax"])).sum()),
             "argmax_agree_mask_pos0": int((np.argmax(lg0, axis=1) == np.array(mtp["argmax_vllm_mask_pos0"])).sum()),
             "positions": len(seq)}
        print(p["name"], {k: (float(v) if isinstance(v, np.floating) else v) for k, v in r.items()})
        for k in ("hidden", "logits", "logits_vllm_mask_pos0", "router_gap"):
            worst[k] = max(worst.get(k, 0.0), float(r[k]))
    print("max over prompts", worst)


def write_golden(gguf_path):
    m = GlmModel(gguf_path)
    stem = gguf_path[:-len(".gguf")]
    g, arr = _load_golden(stem + ".golden.json")
    blob = bytearray()

    def put(a):
        a = np.ascontiguousarray(a, dtype="<f4")
        ref = {"offset": len(blob), "shape": list(a.shape), "dtype": "f32le"}
        blob.extend(a.tobytes())
        return ref

    prompts, gaps, ggaps, margins, fragile = [], [], [], [], []
    for p in g["prompts"]:
        seq, nxt, h = mtp_inputs(m, p, arr)
        lg, st = m.nextn(nxt, h)
        lg0, st0 = m.nextn(nxt, h, mask_pos0=True)
        margin = top2(lg)
        egap, ggap = st["expert_gap"], st["group_gap"]
        entry = {"name": p["name"], "sequence": seq, "next_tokens": nxt,
                 "logits": put(lg), "argmax": [int(a) for a in np.argmax(lg, axis=1)],
                 "top2_margin": [round(float(x), 6) for x in margin],
                 "router_min_topk_gap": [round(float(x), 6) for x in egap]}
        if m.n_group > 1:
            entry["router_min_group_gap"] = [round(float(x), 6) for x in ggap]
            entry["hf_zero_group_mask_same_experts"] = bool(st["hf_mask_agrees"].all() and st0["hf_mask_agrees"].all())
        entry["logits_vllm_mask_pos0"] = put(lg0)
        entry["argmax_vllm_mask_pos0"] = [int(a) for a in np.argmax(lg0, axis=1)]
        entry["router_min_topk_gap_vllm_mask_pos0"] = [round(float(x), 6) for x in st0["expert_gap"]]
        if m.n_group > 1:
            entry["router_min_group_gap_vllm_mask_pos0"] = [round(float(x), 6) for x in st0["group_gap"]]
        entry["main_hidden_final_norm_numpy"] = put(h)
        entry["main_hidden_vs_llama_prompt_max_abs_diff"] = float(np.abs(h[:len(p["tokens"])] - arr(p["hidden_final_norm"])).max())
        weak = [i for i in range(len(seq)) if egap[i] < 1e-4 or ggap[i] < 1e-4]
        if weak:
            entry["fragile_router_positions"] = weak
            fragile.append((p["name"], weak))
        prompts.append(entry)
        gaps.append(egap.min()); ggaps.append(ggap.min()); margins.append(margin.min())
    bin_name = os.path.basename(stem) + ".mtp.golden.bin"
    summary = {"positions": sum(len(e["sequence"]) for e in prompts),
               "min_router_topk_gap": round(float(min(gaps)), 6),
               "min_top2_logit_margin": round(float(min(margins)), 6),
               "fragile_router_positions": {n: w for n, w in fragile}}
    if fragile:
        summary["fragile_note"] = ("NextN-block router gap < 1e-4 at these positions: an engine whose router "
                                   "scores err by more than the gap may pick another expert there and miss that row")
    if m.n_group > 1:
        summary["min_router_group_gap"] = round(float(min(ggaps)), 6)
    out = {"format": "glm45-mtp-golden-v1",
           "model_file": os.path.basename(gguf_path),
           "model_sha256": hashlib.sha256(open(gguf_path, "rb").read()).hexdigest(),
           "bin_file": bin_name, "n_vocab": m.V, "n_embd": m.H, "nextn_block": m.n_layer,
           "source": "NumPy float64 (mtp_numpy.py); S = tokens + greedy of " + os.path.basename(stem) + ".golden.json",
           "summary": summary, "prompts": prompts}
    with open(stem + ".mtp.golden.json", "w") as f:
        json.dump(out, f, indent=1)
    with open(stem + ".mtp.golden.bin", "wb") as f:
        f.write(blob)
    print(os.path.basename(stem), summary)


if __name__ == "__main__":
    {"check": check, "golden": write_golden}[sys.argv[1]](sys.argv[2])
