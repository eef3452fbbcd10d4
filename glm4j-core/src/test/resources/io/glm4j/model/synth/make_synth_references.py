"""Records what llama.cpp makes of glm4j's synthetic tiny model, the outside reference for
SyntheticModelTest: llama-quantize's tensor bytes for each file type, and llama.cpp's logits.

  1. `glm4j synth --preset tiny --type F32 --seed 1` writes the F32 model.
  2. `llama-quantize <F32> <out> <TYPE>` quantizes it to each type; llama-quantize-sha256.tsv gets
     the type and SHA-256 of every tensor's data (glm4j's own synth of that type must match).
  3. llama.cpp tokenizes TEXTS with the synthetic vocabulary (parse_special = true, no BOS);
     tiny-llama-tokens.json gets [{"text", "ids"}].
  4. llama.cpp evaluates the F32 file on PROMPT as one batch (tools/llama_ref_logits settings: 1
     thread, flash attention off, F32 KV cache, n_ctx = n_batch = n_ubatch = 512) and
     tiny-F32-seed1.llama-logits.f32 gets the logits [len(PROMPT), 640], float32 little-endian.

Usage: GGUF_PY=/path/to/llama.cpp/gguf-py LLAMA_BIN=/path/to/llama.cpp/build/bin \
       LLAMA_REF_LOGITS=/path/to/llama_ref_logits GLM4J=/path/to/glm4j python3 make_synth_references.py [work dir]
(llama_ref_logits: a small program against libllama that writes the prompt logits of each given
id list, see the README.)
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.environ["GGUF_PY"])
import gguf  # noqa: E402

SEED = 1
TYPES = ["F16", "Q8_0", "Q4_0", "Q4_K_M", "Q6_K", "Q5_0"]
# [gMASK] <sop> <|system|> then byte and merge tokens, added tokens (<|user|>, <think>, ...), the last normal id
TEXTS = [
    "Hello, world! The model is random.",
    "[gMASK]<sop><|user|>\nWhat is 1024 + 42?<|assistant|>\n<think></think>\nNumbers: 131072, 4096.",
    "  spaces   and\ttabs, \u00e9mojis \U0001F916 and \u00fcn\u00efc\u00f6d\u00e9",
    "print(\"hello, world\") or x = y + 1\n\n\n  {%- if tools -%}",
]
PROMPT = [570, 572, 574, 10, 300, 400, 500, 600, 575, 12, 33, 44, 55, 66, 77, 88, 576, 589, 13, 590, 601, 0, 255, 567]


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, LD_LIBRARY_PATH=os.environ["LLAMA_BIN"])
    f32 = os.path.join(work, "synth-tiny-F32.gguf")
    subprocess.run([os.environ["GLM4J"], "synth", "--preset", "tiny", "--type", "F32", "--seed", str(SEED), "-o", f32], check=True)
    with open(os.path.join(here, "llama-quantize-sha256.tsv"), "w") as out:
        out.write("file_type\ttensor\ttype\tsha256\n")
        for file_type in TYPES:
            q = os.path.join(work, f"synth-tiny-{file_type}.gguf")
            subprocess.run([os.path.join(os.environ["LLAMA_BIN"], "llama-quantize"), f32, q, file_type],
                           check=True, env=env, capture_output=True)
            for t in gguf.GGUFReader(q).tensors:
                digest = hashlib.sha256(np.ascontiguousarray(t.data).view(np.uint8).tobytes()).hexdigest()
                out.write(f"{file_type}\t{t.name}\t{t.tensor_type.name}\t{digest}\n")
            os.remove(q)
    tokens = []
    for text in TEXTS:
        ids = subprocess.run([os.environ["LLAMA_REF_LOGITS"], "--tokenize", f32, text],
                             check=True, env=env, capture_output=True, text=True).stdout.strip()
        tokens.append({"text": text, "ids": [int(i) for i in ids.split(",")]})
    with open(os.path.join(here, "tiny-llama-tokens.json"), "w") as out:
        out.write("[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tokens) + "\n]\n")
    prefix = os.path.join(work, "synth-tiny-F32")
    subprocess.run([os.environ["LLAMA_REF_LOGITS"], f32, prefix, "0", ",".join(map(str, PROMPT))],
                   check=True, env=dict(env, LLAMA_REF_NO_EMBD="1"), capture_output=True)
    shutil.copy(prefix + ".p0.logits.f32", os.path.join(here, "tiny-F32-seed1.llama-logits.f32"))


if __name__ == "__main__":
    main()
