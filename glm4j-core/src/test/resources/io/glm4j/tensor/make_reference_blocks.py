"""Writes <TYPE>.bin test vectors for the glm4j row kernels: random blocks of each storage type and
their float32 values as dequantized by llama.cpp's gguf-py (gguf.quants.dequantize), the outside
reference the Java tests compare with.

Usage: GGUF_PY=/path/to/llama.cpp/gguf-py python3 make_reference_blocks.py [output dir]

File format (little-endian): u32 byte count, the raw blocks, u32 value count, the float32 values.
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.environ["GGUF_PY"])
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType as T  # noqa: E402
from gguf.quants import dequantize  # noqa: E402

# byte offsets of the fp16 scale fields inside one block of each type
SCALE_FIELDS = {
    T.Q8_0: [0], T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
BLOCK_COUNT = {256: 6, 32: 24}   # K-quant super-blocks, 32-value blocks
HALF_COUNT = 700                 # F16/BF16 values: not a multiple of any vector width


def scales(rng, n):
    """Sane finite fp16 scales: mostly 1e-5..1e-1 of either sign, with zeros and subnormals mixed in."""
    s = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-5, -1, n)
    s[rng.random(n) < 0.05] = 0.0
    s[rng.random(n) < 0.05] = 2.0 ** -20
    return s.astype(np.float16)


def quant_blocks(rng, qtype):
    block_size, block_bytes = GGML_QUANT_SIZES[qtype]
    n = BLOCK_COUNT[block_size]
    blocks = rng.integers(0, 256, (n, block_bytes), dtype=np.uint8)
    for at in SCALE_FIELDS[qtype]:
        blocks[:, at:at + 2] = scales(rng, n).view(np.uint8).reshape(n, 2)
    return blocks.reshape(-1)


def f16_values(rng):
    """Random bit patterns over the whole finite half range (subnormals included)."""
    bits = rng.integers(0, 1 << 16, HALF_COUNT, dtype=np.uint16)
    bits[(bits & 0x7C00) == 0x7C00] &= 0xBFFF  # no infinities or NaNs
    return bits.view(np.uint8)


def bf16_values(rng):
    """Random bf16 bit patterns with exponents near 1 so that dot products stay finite, plus zeros and subnormals."""
    sign = rng.integers(0, 2, HALF_COUNT, dtype=np.uint16) << 15
    exponent = rng.integers(127 - 30, 127 + 30, HALF_COUNT, dtype=np.uint16)
    exponent[rng.random(HALF_COUNT) < 0.03] = 0
    mantissa = rng.integers(0, 128, HALF_COUNT, dtype=np.uint16)
    return (sign | exponent << 7 | mantissa).astype(np.uint16).view(np.uint8)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(20260723)
    cases = [(T.F16, f16_values(rng)), (T.BF16, bf16_values(rng))]
    cases += [(qtype, quant_blocks(rng, qtype)) for qtype in SCALE_FIELDS]
    for qtype, raw in cases:
        values = dequantize(raw, qtype).astype("<f4").reshape(-1)
        assert np.all(np.isfinite(values)), qtype.name
        with open(os.path.join(out_dir, qtype.name + ".bin"), "wb") as f:
            f.write(struct.pack("<I", raw.size) + raw.tobytes())
            f.write(struct.pack("<I", values.size) + values.tobytes())
        print(f"{qtype.name}: {raw.size} bytes, {values.size} values")


if __name__ == "__main__":
    main()
