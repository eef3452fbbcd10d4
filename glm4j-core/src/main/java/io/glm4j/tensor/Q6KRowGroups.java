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
 * Q6_K in groups of 16 rows. Per super-block column, 3360 bytes (as many as the 16 blocks): the
 * rows' fp16 d, their 16 signed group scales (group-major, 16 rows per group), then 32 steps of
 * 96 bytes, step s covering values 8s..8s+7 of every row in three 32-byte pieces, lane 2r+p for
 * row r. With q0..q3 the quants of values 8s+p, 8s+2+p, 8s+4+p and 8s+6+p, piece A holds
 * {@code (q0 ^ 32) << 2 | (q2 >> 4 ^ 2)}, piece B the same of q1 and q3, piece C the low nibbles of
 * q2 and q3. The bits are flipped so that signed arithmetic shifts give the quants minus 32
 * directly: q0 − 32 is A (sign-extended) shifted right by 2, and q2 − 32 is q2's low nibble plus
 * A's two low bits, read as a signed number, times 16. Each unpacked vector of 32 values meets one
 * broadcast activation pair. Two steps make a group of 16; its eight products of at most 32·127 a
 * lane fit a short, and its row sums, widened to ints, meet the group's scale.
 */
final class Q6KRowGroups implements RowGroupKernel.OneGroupAtATime {
    static final Q6KRowGroups INSTANCE = new Q6KRowGroups();
    private static final int QL = 0, QH = 128, SCALES_AT = 192, D_AT = 208;
    private static final int SCALES = 2 * ROWS, QUANTS = SCALES + 16 * ROWS, STEP = 3 * 2 * ROWS;
    private static final int GROUP_BLOCK_BYTES = QUANTS + 32 * STEP;

    /** Measured (ms for one expert matrix, groups against tiles): 4 tokens: 0.72 ms against 1.24 tiled; 16 tokens: 2.83 against 2.74. */
    @Override
    public int tiledFromTokens() {
        return 16;
    }

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q6_K) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * GgmlType.Q6_K.blockBytes;
                dst.set(HalfFloats.LE_SHORT, out + 2 * r, rows.get(HalfFloats.LE_SHORT, block + D_AT));
                for (int g = 0; g < 16; g++) dst.set(ValueLayout.JAVA_BYTE, out + SCALES + g * ROWS + r, rows.get(ValueLayout.JAVA_BYTE, block + SCALES_AT + g));
                for (int s = 0; s < 32; s++) {
                    long step = out + QUANTS + (long) s * STEP;
                    for (int p = 0; p < 2; p++) {
                        int v0 = quant(rows, block, 8 * s + p), v1 = quant(rows, block, 8 * s + 2 + p);
                        int v2 = quant(rows, block, 8 * s + 4 + p), v3 = quant(rows, block, 8 * s + 6 + p);
                        long lane = 2 * r + p;
                        dst.set(ValueLayout.JAVA_BYTE, step + lane, (byte) ((v0 ^ 32) << 2 | (v2 >> 4 ^ 2)));
                        dst.set(ValueLayout.JAVA_BYTE, step + 2 * ROWS + lane, (byte) ((v1 ^ 32) << 2 | (v3 >> 4 ^ 2)));
                        dst.set(ValueLayout.JAVA_BYTE, step + 4 * ROWS + lane, (byte) (v2 & 0xF | (v3 & 0xF) << 4));
                    }
                }
            }
        }
    }

    /** The unsigned 6-bit quant of value {@code v} of a stored block (see {@link Q6KKernel}). */
    private static int quant(MemorySegment rows, long block, int v) {
        int half = v / 128, quarter = v % 128 / 32, i = v % 32;
        int low = rows.get(ValueLayout.JAVA_BYTE, block + QL + half * 64 + (quarter & 1) * 32 + i) >> 4 * (quarter >> 1) & 0xF;
        int top = rows.get(ValueLayout.JAVA_BYTE, block + QH + half * 32 + i) >> 2 * quarter & 3;
        return low | top << 4;
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(Int8Lanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 128;
            IntVector scaled = IntVector.zero(Int8Lanes.I);
            for (int g = 0; g < 16; g++) {
                ShortVector sum = ShortVector.zero(Int8Lanes.S);
                for (int s = 2 * g; s < 2 * g + 2; s++) {
                    long step = base + QUANTS + (long) s * STEP;
                    ShortVector a = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, step, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, Int8Lanes.S, 0);
                    ShortVector b1 = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, step + 2 * ROWS, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, Int8Lanes.S, 0);
                    ShortVector c = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, step + 4 * ROWS, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Lanes.S, 0);
                    ShortVector v0 = a.lanewise(VectorOperators.ASHR, 2);
                    ShortVector v1 = b1.lanewise(VectorOperators.ASHR, 2);
                    ShortVector v2 = c.and((short) 0xF).add(a.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10));
                    ShortVector v3 = c.lanewise(VectorOperators.LSHR, 4).add(b1.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10));
                    sum = sum.add(v0.mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 4 * s]).reinterpretAsShorts()))
                            .add(v1.mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 4 * s + 1]).reinterpretAsShorts()))
                            .add(v2.mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 4 * s + 2]).reinterpretAsShorts()))
                            .add(v3.mul(IntVector.broadcast(Int8Lanes.I, pairs[xp + 4 * s + 3]).reinterpretAsShorts()));
                }
                // lanes 2r and 2r+1 into int lane r (their sum can exceed a short), times row r's group scale
                IntVector w = sum.reinterpretAsInts();
                IntVector rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
                scaled = scaled.add(rowSums.mul((IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, groups, base + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, Int8Lanes.I, 0)));
            }
            // the rows' fp16 d widened in the lanes (see Q4_0RowGroups), inline so nothing is boxed
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Int8Lanes.S256, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            FloatVector d = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
            acc = ((FloatVector) scaled.convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.broadcast(Int8Lanes.F, xd[(xOffset >> 8) + b]), acc);
        }
        acc.intoArray(out, outOffset);
    }
    @Override
    public void dot4One(MemorySegment groups, long group, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
            float[] out, int o0, int o1, int o2, int o3) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        FloatVector acc0 = FloatVector.zero(Int8Lanes.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int p0 = (x0 >> 1) + b * 128, p1 = (x1 >> 1) + b * 128, p2 = (x2 >> 1) + b * 128, p3 = (x3 >> 1) + b * 128;
            IntVector scaled0 = IntVector.zero(Int8Lanes.I), scaled1 = scaled0, scaled2 = scaled0, scaled3 = scaled0;
            for (int g = 0; g < 16; g++) {
                ShortVector sum0 = ShortVector.zero(Int8Lanes.S), sum1 = sum0, sum2 = sum0, sum3 = sum0;
                for (int s = 2 * g; s < 2 * g + 2; s++) {
                    long step = base + QUANTS + (long) s * STEP;
                    ShortVector a = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, step, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, Int8Lanes.S, 0);
                    ShortVector b1 = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, step + 2 * ROWS, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, Int8Lanes.S, 0);
                    ShortVector c = (ShortVector) ByteVector.fromMemorySegment(Int8Lanes.B256, groups, step + 4 * ROWS, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, Int8Lanes.S, 0);
                    ShortVector v0 = a.lanewise(VectorOperators.ASHR, 2);
                    ShortVector v1 = b1.lanewise(VectorOperators.ASHR, 2);
                    ShortVector v2 = c.and((short) 0xF).add(a.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10));
                    ShortVector v3 = c.lanewise(VectorOperators.LSHR, 4).add(b1.lanewise(VectorOperators.LSHL, 14).lanewise(VectorOperators.ASHR, 10));
                    int k = 4 * s;
                    sum0 = sum0.add(v0.mul(IntVector.broadcast(Int8Lanes.I, pairs[p0 + k]).reinterpretAsShorts()))
                            .add(v1.mul(IntVector.broadcast(Int8Lanes.I, pairs[p0 + k + 1]).reinterpretAsShorts()))
                            .add(v2.mul(IntVector.broadcast(Int8Lanes.I, pairs[p0 + k + 2]).reinterpretAsShorts()))
                            .add(v3.mul(IntVector.broadcast(Int8Lanes.I, pairs[p0 + k + 3]).reinterpretAsShorts()));
                    sum1 = sum1.add(v0.mul(IntVector.broadcast(Int8Lanes.I, pairs[p1 + k]).reinterpretAsShorts()))
                            .add(v1.mul(IntVector.broadcast(Int8Lanes.I, pairs[p1 + k + 1]).reinterpretAsShorts()))
                            .add(v2.mul(IntVector.broadcast(Int8Lanes.I, pairs[p1 + k + 2]).reinterpretAsShorts()))
                            .add(v3.mul(IntVector.broadcast(Int8Lanes.I, pairs[p1 + k + 3]).reinterpretAsShorts()));
                    sum2 = sum2.add(v0.mul(IntVector.broadcast(Int8Lanes.I, pairs[p2 + k]).reinterpretAsShorts()))
                            .add(v1.mul(IntVector.broadcast(Int8Lanes.I, pairs[p2 + k + 1]).reinterpretAsShorts()))
                            .add(v2.mul(IntVector.broadcast(Int8Lanes.I, pairs[p2 + k + 2]).reinterpretAsShorts()))
                            .add(v3.mul(IntVector.broadcast(Int8Lanes.I, pairs[p2 + k + 3]).reinterpretAsShorts()));
                    sum3 = sum3.add(v0.mul(IntVector.broadcast(Int8Lanes.I, pairs[p3 + k]).reinterpretAsShorts()))
                            .add(v1.mul(IntVector.broadcast(Int8Lanes.I, pairs[p3 + k + 1]).reinterpretAsShorts()))
                            .add(v2.mul(IntVector.broadcast(Int8Lanes.I, pairs[p3 + k + 2]).reinterpretAsShorts()))
                            .add(v3.mul(IntVector.broadcast(Int8Lanes.I, pairs[p3 + k + 3]).reinterpretAsShorts()));
                }
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(Int8Lanes.B128, groups, base + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, Int8Lanes.I, 0);
                // per token as in dot: lanes 2r and 2r+1 into int lane r, times row r's group scale
                IntVector w = sum0.reinterpretAsInts();
                scaled0 = scaled0.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16)).mul(scale));
                w = sum1.reinterpretAsInts();
                scaled1 = scaled1.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16)).mul(scale));
                w = sum2.reinterpretAsInts();
                scaled2 = scaled2.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16)).mul(scale));
                w = sum3.reinterpretAsInts();
                scaled3 = scaled3.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16)).mul(scale));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Int8Lanes.S256, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, Int8Lanes.I, 0);
            FloatVector d = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats();
            acc0 = ((FloatVector) scaled0.convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.broadcast(Int8Lanes.F, xd[(x0 >> 8) + b]), acc0);
            acc1 = ((FloatVector) scaled1.convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.broadcast(Int8Lanes.F, xd[(x1 >> 8) + b]), acc1);
            acc2 = ((FloatVector) scaled2.convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.broadcast(Int8Lanes.F, xd[(x2 >> 8) + b]), acc2);
            acc3 = ((FloatVector) scaled3.convert(VectorOperators.I2F, 0)).mul(d).fma(FloatVector.broadcast(Int8Lanes.F, xd[(x3 >> 8) + b]), acc3);
        }
        acc0.intoArray(out, o0);
        acc1.intoArray(out, o1);
        acc2.intoArray(out, o2);
        acc3.intoArray(out, o3);
    }
}
