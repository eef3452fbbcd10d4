"""Goldens for a held-out checkpoint: llama.cpp's logits of the F32 GGUF holding exactly the values the
checkpoint stands for (export_hf_checkpoint.py --dequantized), in the format of the model/reference goldens,
with NumPy's router gaps and a NumPy cross-check; then the NextN goldens by mtp_numpy.py.

Usage: LLAMA_REF_LOGITS=/path/to/llama_ref_logits PYTHONPATH=<llama.cpp>/gguf-py:../model/reference \
       python3 make_heldout_goldens.py STEM.gguf PROMPTS.golden.json
writes STEM.golden.json/.bin (prompt tokens taken from PROMPTS.golden.json, 8 greedy steps) and STEM.mtp.golden.json/.bin.
"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import mtp_numpy

N_GEN = 8


def main(gguf_path, prompts_path):
    stem = gguf_path[:-len(".gguf")]
    prompts = json.load(open(prompts_path))["prompts"]
    ids = [",".join(map(str, p["tokens"])) for p in prompts]
    run = subprocess.run([os.environ["LLAMA_REF_LOGITS"], gguf_path, stem + ".llama", str(N_GEN), *ids],
                         capture_output=True, text=True, check=True)
    llama = json.loads(run.stdout)
    model = mtp_numpy.GlmModel(gguf_path)
    blob = bytearray()

    def put(a):
        a = np.ascontiguousarray(a, dtype="<f4")
        ref = {"offset": len(blob), "shape": list(a.shape), "dtype": "f32le"}
        blob.extend(a.tobytes())
        return ref

    def read(i, what, rows):
        path = f"{stem}.llama.p{i}.{what}.f32"
        a = np.fromfile(path, "<f4").reshape(rows, -1)
        os.remove(path)
        return a

    out = []
    for i, p in enumerate(prompts):
        tokens, greedy = p["tokens"], llama["prompts"][i]["greedy"]
        T = len(tokens)
        logits, hidden, steps = read(i, "logits", T), read(i, "hidden", T), read(i, "greedy_logits", N_GEN)
        np_logits, _, stats = model.forward(tokens + greedy)
        gaps = stats["expert_gap"]
        margin = -np.diff(-np.sort(-logits, axis=1)[:, :2], axis=1)[:, 0]
        out.append({
            "name": p["name"], "tokens": tokens, "logits": put(logits), "argmax": [int(a) for a in logits.argmax(1)],
            "top2_margin": [round(float(m), 6) for m in margin], "hidden_final_norm": put(hidden),
            "greedy": greedy, "greedy_step_logits": put(steps),
            "router_min_topk_gap_numpy": [round(float(g), 6) for g in gaps[:T]],
            "greedy_router_min_topk_gap_numpy": [round(float(g), 6) for g in gaps[T:]],
            "numpy_vs_llama": {"max_abs_logit_diff": float(np.abs(np_logits[:T] - logits).max()),
                               "max_abs_greedy_step_logit_diff": float(np.abs(np_logits[T:] - steps[:N_GEN]).max() if N_GEN > 1 else 0)}})
    summary = {"min_router_topk_gap_numpy": min(min(p["router_min_topk_gap_numpy"] + p["greedy_router_min_topk_gap_numpy"]) for p in out),
               "max_numpy_vs_llama_logit_diff": max(p["numpy_vs_llama"]["max_abs_logit_diff"] for p in out)}
    golden = {"format": "glm45-golden-v1", "model_file": os.path.basename(gguf_path),
              "model_sha256": hashlib.sha256(open(gguf_path, "rb").read()).hexdigest(),
              "bin_file": os.path.basename(stem) + ".golden.bin", "n_vocab": llama["n_vocab"], "n_embd": llama["n_embd"],
              "llama_eval": {"n_threads": 1, "flash_attn": False, "type_k": "f32", "type_v": "f32", "n_ctx": 512, "n_gen": N_GEN,
                             "prompt_in_one_batch": True},
              "summary": summary, "prompts": out}
    with open(stem + ".golden.json", "w") as f:
        json.dump(golden, f, indent=1)
    with open(stem + ".golden.bin", "wb") as f:
        f.write(blob)
    print(os.path.basename(stem), summary)
    mtp_numpy.write_golden(gguf_path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
