package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_0 in groups of 16 rows. Per block column, 352 bytes (as many as the 16 blocks): the rows'
 * fp16 scales, the low 4 bits in eight runs of 32 bytes as in {@link Q4_0RowGroups}, then the
 * fifth bits as one short a lane: lane 2r+p holds in bits 2j and 2j+1 the fifth bits of values
 * 2j+p and 2j+16+p of row r, the two quants run j unpacks into that lane. Quants stay unsigned
 * (0..31) and the −16 is applied per block as −16·Σx; each half of the runs sums its eight
 * products of at most 31·127 in its own short lanes.
 */
final class Q5_0RowGroups implements RowGroupKernel.OneGroupAtATime {
    static final Q5_0RowGroups INSTANCE = new Q5_0RowGroups();
    private static final int BLOCK_BYTES = 22, QH_AT = 2, QS_AT = 6;
    private static final int QUANTS = 2 * ROWS, FIFTH = QUANTS + 16 * ROWS, GROUP_BLOCK_BYTES = FIFTH + 4 * ROWS;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Measured (ms for one expert matrix, groups against tiles): 8 tokens: 1.36 ms against 1.49 tiled; 16 tokens: 2.55 against 2.33. */
    @Override
    public int tiledFromTokens() {
        return 12;
    }

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q5_0) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q5_0); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * BLOCK_BYTES;
                RowGroupKernel.packScaleAndRuns(rows, block, QS_AT, 8, dst, out, r);
                int qh = rows.get(LE_INT, block + QH_AT);
                for (int p = 0; p < 2; p++) {
                    int fifth = 0;
                    for (int j = 0; j < 8; j++) fifth |= (qh >>> (2 * j + p) & 1) << 2 * j | (qh >>> (2 * j + 16 + p) & 1) << 2 * j + 1;
                    dst.set(HalfFloats.LE_SHORT, out + FIFTH + 2 * (2 * r + p), (short) fifth);
                }
            }
        }
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q5_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 16;
            // run j's two fifth bits are the lowest two of the lane once shifted down by 2j: constant
            // shifts only (a shift by a variable count is not compiled to one instruction)
            ShortVector fifth = ShortVector.fromMemorySegment(Int8Lanes.S, groups, base + FIFTH, ByteOrder.LITTLE_ENDIAN);
            IntVector rowSums = IntVector.zero(Int8Lanes.I);
            for (int half = 0; half < 2; half++) {
                ShortVector sum = ShortVector.zero(Int8Lanes.S);
                for (int j = 4 * half; j < 4 * half + 4; j++) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, base + QUANTS + 32 * j, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Lanes.S, 0);
                    ShortVector lo = q.and((short) 0xF).or(fifth.lanewise(VectorOperators.LSHL, 4).and((short) 0x10));
                    ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).or(fifth.lanewise(VectorOperators.LSHL, 3).and((short) 0x10));
                    fifth = fifth.lanewise(VectorOperators.LSHR, 2);
                    sum = sum.add(lo.mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + j]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 8 + j]).reinterpretAsShorts()));
                }
                // lanes 2r and 2r+1 into int lane r; their sum can exceed a short
                IntVector w = sum.reinterpretAsInts();
                rowSums = rowSums.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
            }
            int xb = (xOffset >> 5) + b;
            float dx = xd[xb];
            float offset = -16f * dx * (sums[2 * xb] + sums[2 * xb + 1]);
            FloatVector scaled = ((FloatVector) rowSums.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(Int8Lanes.F, dx), FloatVector.broadcast(Int8Lanes.F, offset));
            // the rows' fp16 scales widened in the lanes (see Q4_0RowGroups), inline so nothing is boxed
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Int8Lanes.S256, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            FloatVector d = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
            acc = scaled.fma(d, acc);
        }
        acc.intoArray(out, outOffset);
    }
    @Override
    public void dot4One(MemorySegment groups, long group, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
            float[] out, int o0, int o1, int o2, int o3) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc0 = FloatVector.zero(Int8Lanes.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q5_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int p0 = (x0 >> 1) + b * 16, p1 = (x1 >> 1) + b * 16, p2 = (x2 >> 1) + b * 16, p3 = (x3 >> 1) + b * 16;
            ShortVector fifth = ShortVector.fromMemorySegment(Int8Lanes.S, groups, base + FIFTH, ByteOrder.LITTLE_ENDIAN);
            IntVector rowSums0 = IntVector.zero(Int8Lanes.I), rowSums1 = rowSums0, rowSums2 = rowSums0, rowSums3 = rowSums0;
            for (int half = 0; half < 2; half++) {
                ShortVector sum0 = ShortVector.zero(Int8Lanes.S), sum1 = sum0, sum2 = sum0, sum3 = sum0;
                for (int j = 4 * half; j < 4 * half + 4; j++) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, base + QUANTS + 32 * j, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Lanes.S, 0);
                    ShortVector lo = q.and((short) 0xF).or(fifth.lanewise(VectorOperators.LSHL, 4).and((short) 0x10));
                    ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).or(fifth.lanewise(VectorOperators.LSHL, 3).and((short) 0x10));
                    fifth = fifth.lanewise(VectorOperators.LSHR, 2);
                    sum0 = sum0.add(lo.mul(IntVector.broadcast(Int8Lanes.I, pairs[p0 + j]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(Int8Lanes.I, pairs[p0 + 8 + j]).reinterpretAsShorts()));
                    sum1 = sum1.add(lo.mul(IntVector.broadcast(Int8Lanes.I, pairs[p1 + j]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(Int8Lanes.I, pairs[p1 + 8 + j]).reinterpretAsShorts()));
                    sum2 = sum2.add(lo.mul(IntVector.broadcast(Int8Lanes.I, pairs[p2 + j]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(Int8Lanes.I, pairs[p2 + 8 + j]).reinterpretAsShorts()));
                    sum3 = sum3.add(lo.mul(IntVector.broadcast(Int8Lanes.I, pairs[p3 + j]).reinterpretAsShorts()))
                            .add(hi.mul(IntVector.broadcast(Int8Lanes.I, pairs[p3 + 8 + j]).reinterpretAsShorts()));
                }
                // per token as in dot
                IntVector w = sum0.reinterpretAsInts();
                rowSums0 = rowSums0.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = sum1.reinterpretAsInts();
                rowSums1 = rowSums1.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = sum2.reinterpretAsInts();
                rowSums2 = rowSums2.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
                w = sum3.reinterpretAsInts();
                rowSums3 = rowSums3.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).add(w.lanewise(VectorOperators.ASHR, 16));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Int8Lanes.S256, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            FloatVector d = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
            int xb = (x0 >> 5) + b;
            acc0 = ((FloatVector) rowSums0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, xd[xb]),
                    FloatVector.broadcast(Int8Lanes.F, -16f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]))).fma(d, acc0);
            xb = (x1 >> 5) + b;
            acc1 = ((FloatVector) rowSums1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, xd[xb]),
                    FloatVector.broadcast(Int8Lanes.F, -16f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]))).fma(d, acc1);
            xb = (x2 >> 5) + b;
            acc2 = ((FloatVector) rowSums2.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, xd[xb]),
                    FloatVector.broadcast(Int8Lanes.F, -16f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]))).fma(d, acc2);
            xb = (x3 >> 5) + b;
            acc3 = ((FloatVector) rowSums3.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Int8Lanes.F, xd[xb]),
                    FloatVector.broadcast(Int8Lanes.F, -16f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]))).fma(d, acc3);
        }
        acc0.intoArray(out, o0);
        acc1.intoArray(out, o1);
        acc2.intoArray(out, o2);
        acc3.intoArray(out, o3);
    }
}
