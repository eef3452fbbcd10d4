package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 in groups of {@link #ROWS} rows. Per block column, as many bytes as the group's blocks: the rows'
 * fp16 scales, then 16 runs of two bytes a row, run j holding quants 2j and 2j+1 of every row (lane 2r+p:
 * row r, quant 2j+p). Sign-extended to shorts, a run meets one broadcast activation pair; two
 * products of at most 127·127 fit a short lane, so every two runs are widened into int row sums.
 */
final class Q8_0RowGroups implements RowGroupKernel.OneGroupAtATime, RowGroupKernel.Tiling {
    private static final int BLOCK_BYTES = 34, QUANTS = 2 * ROWS, GROUP_BLOCK_BYTES = QUANTS + 32 * ROWS;
    static final Q8_0RowGroups INSTANCE = new Q8_0RowGroups();

    /** The bytes between runs, read from a field: see {@link RowGroupKernel} on loop strides. */
    private final long runBytes;

    private Q8_0RowGroups() {
        runBytes = PAIR_RUN;
    }

    /** Measured (ms for one expert matrix, dot4 against group tiles): 6 tokens: 1.33 against 1.21; 8: 1.34 against 1.17; 10: 2.01 against 1.61. */
    @Override
    public int tiledFromTokens() {
        return 8;
    }

    /** Each run widened to floats as it lies (lanes 2r+p) and scaled by its rows' d, as {@link Q8_0Kernel#dequantize} scales. */
    @Override
    public void dequantize(MemorySegment groups, long group, int cols, float[] dst) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q8_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            // the rows' fp16 scales widened in the lanes (see Q4_0RowGroups), then spread over lanes 2r and 2r+1
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            FloatVector low = d.rearrange(LOW_ROWS), high = d.rearrange(HIGH_ROWS);
            for (int j = 0; j < 16; j++) {
                ByteVector q = ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, base + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN);
                int out = PAIR_RUN * (16 * b + j);
                ((FloatVector) q.convertShape(VectorOperators.B2F, GroupLanes.F, 0)).mul(low).intoArray(dst, out);
                ((FloatVector) q.convertShape(VectorOperators.B2F, GroupLanes.F, 1)).mul(high).intoArray(dst, out + ROWS);
            }
        }
    }

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q8_0) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q8_0); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * BLOCK_BYTES;
                RowGroupKernel.packScaleAndRuns(rows, block, 2, 16, dst, out, r);
            }
        }
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(GroupLanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q8_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 16;
            IntVector rowSums = IntVector.zero(GroupLanes.I);
            // a running address, as in Q4KRowGroups.dot (AVX2, one thread in cache: 7.1–11.4 → 10.0–15.5 GMAC/s)
            long at = base + QUANTS;
            for (int j = 0; j < 16; j += 2, at += 2 * runBytes) {
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, at + runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0);
                // lanes 2r and 2r+1 into int lane r; their sum can exceed a short
                IntVector w = (IntVector) q0.mul(IntVector.broadcast(GroupLanes.I, pairs[xp + j]).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(IntVector.broadcast(GroupLanes.I, pairs[xp + j + 1]).reinterpretShape(GroupLanes.S, 0))).reinterpretShape(GroupLanes.I, 0);
                rowSums = rowSums.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
            }
            // the rows' fp16 scales widened in the lanes (see Q4_0RowGroups), inline so nothing is boxed
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            acc = ((FloatVector) rowSums.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(xOffset >> 5) + b]), acc);
        }
        acc.intoArray(out, outOffset);
    }

    /**
     * Four streams through memory, each broadcast activation pair meeting all four groups: two
     * threads from memory (32768 × 4096, AVX2) 16–19 GMAC/s against 13–14.5 for one group after
     * another; rows of 1408 and 12288 columns gain as much.
     */
    @Override
    public void dotQuad(MemorySegment groups, long first, long groupBytes, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        FloatVector accA = FloatVector.zero(GroupLanes.F), accB = accA, accC = accA, accD = accA;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q8_0); b < blocks; b++) {
            long baseA = first + (long) b * GROUP_BLOCK_BYTES, baseB = baseA + groupBytes, baseC = baseB + groupBytes, baseD = baseC + groupBytes;
            int xp = (xOffset >> 1) + b * 16;
            IntVector sumsA = IntVector.zero(GroupLanes.I), sumsB = sumsA, sumsC = sumsA, sumsD = sumsA;
            long at = QUANTS;
            for (int j = 0; j < 16; j += 2, at += 2 * runBytes) {
                ShortVector x0 = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[xp + j]).reinterpretShape(GroupLanes.S, 0);
                ShortVector x1 = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[xp + j + 1]).reinterpretShape(GroupLanes.S, 0);
                // per group as in dot
                IntVector w = (IntVector) ((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseA + at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseA + at + runBytes, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x1)).reinterpretShape(GroupLanes.I, 0);
                sumsA = sumsA.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = (IntVector) ((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseB + at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseB + at + runBytes, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x1)).reinterpretShape(GroupLanes.I, 0);
                sumsB = sumsB.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = (IntVector) ((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseC + at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseC + at + runBytes, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x1)).reinterpretShape(GroupLanes.I, 0);
                sumsC = sumsC.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = (IntVector) ((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseD + at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseD + at + runBytes, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, GroupLanes.S, 0)).mul(x1)).reinterpretShape(GroupLanes.I, 0);
                sumsD = sumsD.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
            }
            FloatVector dx = FloatVector.broadcast(GroupLanes.F, xd[(xOffset >> 5) + b]);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseA, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accA = ((FloatVector) sumsA.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accA);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseB, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accB = ((FloatVector) sumsB.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accB);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseC, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accC = ((FloatVector) sumsC.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accC);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseD, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accD = ((FloatVector) sumsD.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accD);
        }
        accA.intoArray(out, outOffset);
        accB.intoArray(out, outOffset + ROWS);
        accC.intoArray(out, outOffset + 2 * ROWS);
        accD.intoArray(out, outOffset + 3 * ROWS);
    }

    @Override
    public void dot4One(MemorySegment groups, long group, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
            float[] out, int o0, int o1, int o2, int o3) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        FloatVector acc0 = FloatVector.zero(GroupLanes.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q8_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int p0 = (x0 >> 1) + b * 16, p1 = (x1 >> 1) + b * 16, p2 = (x2 >> 1) + b * 16, p3 = (x3 >> 1) + b * 16;
            IntVector rowSums0 = IntVector.zero(GroupLanes.I), rowSums1 = rowSums0, rowSums2 = rowSums0, rowSums3 = rowSums0;
            for (int j = 0; j < 16; j += 2) {
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, base + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, base + QUANTS + PAIR_RUN * j + PAIR_RUN, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, GroupLanes.S, 0);
                // per token as in dot
                IntVector w = (IntVector) q0.mul(IntVector.broadcast(GroupLanes.I, pairs[p0 + j]).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(IntVector.broadcast(GroupLanes.I, pairs[p0 + j + 1]).reinterpretShape(GroupLanes.S, 0))).reinterpretShape(GroupLanes.I, 0);
                rowSums0 = rowSums0.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = (IntVector) q0.mul(IntVector.broadcast(GroupLanes.I, pairs[p1 + j]).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(IntVector.broadcast(GroupLanes.I, pairs[p1 + j + 1]).reinterpretShape(GroupLanes.S, 0))).reinterpretShape(GroupLanes.I, 0);
                rowSums1 = rowSums1.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = (IntVector) q0.mul(IntVector.broadcast(GroupLanes.I, pairs[p2 + j]).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(IntVector.broadcast(GroupLanes.I, pairs[p2 + j + 1]).reinterpretShape(GroupLanes.S, 0))).reinterpretShape(GroupLanes.I, 0);
                rowSums2 = rowSums2.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = (IntVector) q0.mul(IntVector.broadcast(GroupLanes.I, pairs[p3 + j]).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(IntVector.broadcast(GroupLanes.I, pairs[p3 + j + 1]).reinterpretShape(GroupLanes.S, 0))).reinterpretShape(GroupLanes.I, 0);
                rowSums3 = rowSums3.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            acc0 = ((FloatVector) rowSums0.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(x0 >> 5) + b]), acc0);
            acc1 = ((FloatVector) rowSums1.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(x1 >> 5) + b]), acc1);
            acc2 = ((FloatVector) rowSums2.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(x2 >> 5) + b]), acc2);
            acc3 = ((FloatVector) rowSums3.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(x3 >> 5) + b]), acc3);
        }
        acc0.intoArray(out, o0);
        acc1.intoArray(out, o1);
        acc2.intoArray(out, o2);
        acc3.intoArray(out, o3);
    }
}
