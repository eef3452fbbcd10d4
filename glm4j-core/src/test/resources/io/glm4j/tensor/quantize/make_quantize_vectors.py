"""Writes <TYPE>.bin test vectors for glm4j's quantizers: float32 inputs and the bytes llama.cpp's
quantizers make of them, the outside reference the Java tests compare with bit for bit.

F16, BF16, Q8_0, Q4_0 and Q5_0 are quantized by gguf-py (gguf.quants.quantize, NumPy); gguf-py has no
K-quant quantizer, so Q4_K and Q6_K come from ggml_quantize_chunk in a local llama.cpp build's
libggml-base (what llama-quantize calls; no importance matrix, i.e. quantize_row_*_ref). For the
types both can do, the script checks that gguf-py and libggml agree.

Usage: GGUF_PY=/path/to/llama.cpp/gguf-py LIBGGML_BASE=/path/to/llama.cpp/build/bin/libggml-base.so \
       python3 make_quantize_vectors.py [output dir]

File format (little-endian): u32 value count, the float32 values, u32 byte count, the quantized bytes.
"""
import ctypes
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.environ["GGUF_PY"])
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType as T  # noqa: E402
from gguf.quants import quantize  # noqa: E402

GGML = ctypes.CDLL(os.environ["LIBGGML_BASE"])
GGML.ggml_quantize_chunk.restype = ctypes.c_size_t
GGML.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                     ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
BLOCKS = {32: 48, 256: 24}   # blocks per file for 32-value and 256-value (K-quant) types
F16_VALUES = 1000


def ggml_quantize(values, qtype):
    block_size, block_bytes = GGML_QUANT_SIZES[qtype]
    row = 256 if block_size == 256 else 32 * 8
    assert values.size % row == 0
    out = np.zeros(values.size // block_size * block_bytes, np.uint8)
    x = np.ascontiguousarray(values, np.float32)
    written = GGML.ggml_quantize_chunk(int(qtype), x.ctypes.data, out.ctypes.data, 0, values.size // row, row, None)
    assert written == out.size
    return out


def special_blocks(rng, size):
    """Blocks that exercise the corner cases of the rounding rules."""
    halves = np.resize(np.concatenate([[-8.0], np.arange(-15, 16) / 2.0]), size)        # Q4_0 ties: d = 1
    q5_halves = np.resize(np.concatenate([[-16.0], np.arange(-31, 32) / 2.0]), size)    # Q5_0 ties: d = 1
    q8_halves = np.resize(np.concatenate([[127.0], np.arange(-126, 127) + 0.5]), size)  # Q8_0 ties: d = 1
    mixed = rng.normal(0, 1, size)
    mixed[: size // 4] = 0.0                                                            # zero sub-blocks
    return [
        np.zeros(size), np.full(size, 0.75), np.full(size, -0.3),
        halves, q5_halves, q8_halves, mixed,
        np.abs(rng.normal(0, 1, size)) + 0.5,                                            # all positive
        -np.abs(rng.normal(0, 1, size)) - 0.5,                                           # all negative
        rng.normal(0, 1e-20, size),                                                      # below fp16 / GROUP_MAX_EPS
        rng.normal(0, 3e3, size),
        np.where(rng.random(size) < 0.03, 40.0, rng.normal(0, 0.02, size)),             # outliers
    ]


def inputs(rng, qtype):
    block_size = GGML_QUANT_SIZES[qtype][0]
    size = 256 if block_size == 256 else 32
    blocks = special_blocks(rng, size)
    while len(blocks) < BLOCKS[block_size]:
        blocks.append(rng.normal(0, 10.0 ** rng.uniform(-4, 1), size))
    return np.concatenate(blocks).astype(np.float32)


def f16_inputs(rng):
    halfway = (np.arange(1, 200, dtype=np.float32) + 0.5) * 2.0 ** -10 + 1.0            # exact fp16 ties
    return np.concatenate([
        rng.normal(0, 1, 400), 10.0 ** rng.uniform(-9, 5.5, 300) * rng.choice([-1, 1], 300),  # subnormals .. overflow
        halfway, [0.0, -0.0, 65504.0, 65519.99, 65520.0, -1e6, 2.0 ** -24, 2.0 ** -25, 2.0 ** -26],
    ]).astype(np.float32)[:F16_VALUES]


def bf16_inputs(rng):
    bits = rng.integers(0, 1 << 16, 200, dtype=np.uint32) << 16
    ties = (bits | 0x8000).view(np.float32)                                            # exact bf16 ties, both parities
    special = np.array([0x7FC00000, 0x7F800001, 0xFF800001, 0x7F800000, 0xFF800000,   # quiet and signalling NaN, infinities
                        0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0x7F7F8000], np.uint32).view(np.float32)
    return np.concatenate([rng.normal(0, 1, 400).astype(np.float32), ties, special,
                           (10.0 ** rng.uniform(-40, 38, 391)).astype(np.float32)])


def write(path, values, data):
    with open(path, "wb") as f:
        f.write(struct.pack("<I", values.size))
        f.write(values.astype("<f4").tobytes())
        f.write(struct.pack("<I", data.size))
        f.write(data.astype(np.uint8).tobytes())


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(20250807)
    f16 = f16_inputs(rng)
    f16_bytes = quantize(f16, T.F16).view(np.uint8).reshape(-1)
    assert np.array_equal(f16_bytes, ggml_quantize(np.resize(f16, 1024), T.F16)[: f16.size * 2]), "F16"
    write(os.path.join(out_dir, "F16.bin"), f16, f16_bytes)
    for qtype in (T.Q8_0, T.Q4_0, T.Q5_0):
        x = inputs(rng, qtype)
        q = quantize(x.reshape(-1, 32), qtype).reshape(-1)
        assert np.array_equal(q, ggml_quantize(x, qtype)), f"gguf-py and libggml disagree on {qtype.name}"
        write(os.path.join(out_dir, f"{qtype.name}.bin"), x, q)
    for qtype in (T.Q4_K, T.Q6_K):
        x = inputs(rng, qtype)
        write(os.path.join(out_dir, f"{qtype.name}.bin"), x, ggml_quantize(x, qtype))
    bf16 = bf16_inputs(np.random.default_rng(20260730))
    bf16_bytes = quantize(bf16, T.BF16).view(np.uint8).reshape(-1)
    assert np.array_equal(bf16_bytes, ggml_quantize(np.resize(bf16, 1024), T.BF16)[: bf16.size * 2]), "BF16"
    write(os.path.join(out_dir, "BF16.bin"), bf16, bf16_bytes)


if __name__ == "__main__":
    main()
