package io.glm4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 in groups of {@link #ROWS} rows. Per block column, as many bytes as the group's blocks: the rows'
 * fp16 scales, then eight runs; run j holds bytes 2j and 2j+1 of each row's block, row
 * after row. Zero-extended to shorts, a run's low nibbles are quants 2j, 2j+1 of every row
 * (lane 2r+p: row r, quant 2j+p), its high nibbles quants 2j+16, 2j+17. The low nibbles are never
 * masked out: the whole byte meets the broadcast pair of quants 2j, 2j+1 and its high nibble the
 * pair {@link QuantizedActivations#nibblePairs} makes up for the 16·hi this adds. The nibbles stay
 * unsigned (0..15): the −8 of every quant is applied once per block as −8·Σx. A lane's true sum,
 * sixteen products of at most 15·127, fits a short, so the short arithmetic, which wraps in the
 * products of the whole byte, still ends exact.
 *
 * <p>The rows' fp16 scales are widened in the lanes: sign-extended, shifted so the magnitude bits
 * land in a float's exponent and mantissa, the copies of the sign between them cleared, then
 * rescaled by 2^112 (exact, subnormals included).
 *
 * <p>With AVX-512 faster than float tiles at every batch size (ms for one expert matrix, groups
 * against tiles: 4 tokens: 0.47 ms against 0.97 tiled; 64 tokens: 22.0 against 25.0). With AVX2 the
 * tiles win from about 16 tokens ({@link #tiledFromTokens}).
 */
final class Q4_0RowGroups implements RowGroupKernel.Tiling {
    private static final int BLOCK_BYTES = 18, GROUP_BLOCK_BYTES = ROWS * BLOCK_BYTES, QUANTS = 2 * ROWS;
    /** Groups up to this long (2048 columns) are read one after another in a decode step (see {@link #dotQuad}). */
    private static final long ONE_STREAM_UP_TO_BYTES = 64 * GROUP_BLOCK_BYTES;
    static final Q4_0RowGroups INSTANCE = new Q4_0RowGroups();

    /** The bytes between runs, read from a field: see {@link RowGroupKernel} on loop strides. */
    private final long runBytes;

    private Q4_0RowGroups() {
        runBytes = PAIR_RUN;
    }

    /**
     * AVX2, one thread, a 1024 × 4096 matrix, GMAC/s groups against tiles: 8 tokens 22.4 against
     * 15.0; 16: 23 against 23; 24: 23.2 against 26.6; 64 (256 rows): 21.8 against 27.7. With AVX-512
     * never (see above).
     */
    @Override
    public int tiledFromTokens() {
        return ROWS == 16 ? Integer.MAX_VALUE : 16;
    }

    /**
     * Each run's low and high nibbles, less 8, widened to floats as they lie (lanes 2r+p) and scaled
     * by their rows' d, as {@link Q4_0Kernel#dequantize} scales. A run's halves (rows below and from
     * ROWS/2) are read apart, each byte straight into an int lane.
     */
    @Override
    public void dequantize(MemorySegment groups, long group, int cols, float[] dst) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            FloatVector low = d.rearrange(LOW_ROWS), high = d.rearrange(HIGH_ROWS);
            for (int j = 0; j < 8; j++) {
                long run = base + QUANTS + PAIR_RUN * j;
                IntVector first = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, run, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                IntVector second = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, run + ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                int out = PAIR_RUN * (16 * b + j);
                ((FloatVector) first.and(15).sub(8).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(low).intoArray(dst, out);
                ((FloatVector) second.and(15).sub(8).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(high).intoArray(dst, out + ROWS);
                ((FloatVector) first.lanewise(VectorOperators.LSHR, 4).sub(8).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(low).intoArray(dst, out + 8 * PAIR_RUN);
                ((FloatVector) second.lanewise(VectorOperators.LSHR, 4).sub(8).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(high).intoArray(dst, out + 8 * PAIR_RUN + ROWS);
            }
        }
    }

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q4_0) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * BLOCK_BYTES;
                RowGroupKernel.packScaleAndRuns(rows, block, 2, 8, dst, out, r);
            }
        }
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs(), nibbles = x.nibblePairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc = FloatVector.zero(GroupLanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 16, yp = (xOffset >> 2) + b * 8;
            // whole bytes and top nibbles summed apart: two chains of adds, not one twice as long
            ShortVector bytes = ShortVector.zero(GroupLanes.S), tops = bytes;
            for (int j = 0; j < 8; j++) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, base + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                bytes = bytes.add(q.mul(IntVector.broadcast(GroupLanes.I, pairs[xp + j]).reinterpretShape(GroupLanes.S, 0)));
                tops = tops.add(q.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(GroupLanes.I, nibbles[yp + j]).reinterpretShape(GroupLanes.S, 0)));
            }
            // lanes 2r and 2r+1 into int lane r; their sum can exceed a short
            IntVector w = (IntVector) bytes.add(tops).reinterpretShape(GroupLanes.I, 0);
            IntVector rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
            int xb = (xOffset >> 5) + b;
            float dx = xd[xb];
            float offset = -8f * dx * (sums[2 * xb] + sums[2 * xb + 1]);
            FloatVector scaled = ((FloatVector) rowSums.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .fma(FloatVector.broadcast(GroupLanes.F, dx), FloatVector.broadcast(GroupLanes.F, offset));
            // the rows' fp16 scales widened in the lanes; inline, as a helper returning a vector
            // that C2 declined to inline would box it
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            acc = scaled.fma(d, acc);
        }
        acc.intoArray(out, outOffset);
    }
    @Override
    public void dotPair(MemorySegment groups, long first, long second, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs(), nibbles = x.nibblePairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector accA = FloatVector.zero(GroupLanes.F), accB = accA;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long baseA = first + (long) b * GROUP_BLOCK_BYTES, baseB = second + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 16, yp = (xOffset >> 2) + b * 8;
            ShortVector sumA = ShortVector.zero(GroupLanes.S), sumB = sumA;
            for (int j = 0; j < 8; j++) {
                ShortVector qA = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseA + QUANTS + j * runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                ShortVector qB = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseB + QUANTS + j * runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                ShortVector lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[xp + j]).reinterpretShape(GroupLanes.S, 0);
                ShortVector hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[yp + j]).reinterpretShape(GroupLanes.S, 0);
                sumA = sumA.add(qA.mul(lx)).add(qA.lanewise(VectorOperators.LSHR, 4).mul(hx));
                sumB = sumB.add(qB.mul(lx)).add(qB.lanewise(VectorOperators.LSHR, 4).mul(hx));
            }
            // per group as in dot
            int xb = (xOffset >> 5) + b;
            float dx = xd[xb];
            float offset = -8f * dx * (sums[2 * xb] + sums[2 * xb + 1]);
            IntVector w = (IntVector) sumA.reinterpretShape(GroupLanes.I, 0);
            FloatVector scaled = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(FloatVector.broadcast(GroupLanes.F, dx), FloatVector.broadcast(GroupLanes.F, offset));
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseA, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            accA = scaled.fma(d, accA);
            w = (IntVector) sumB.reinterpretShape(GroupLanes.I, 0);
            scaled = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(FloatVector.broadcast(GroupLanes.F, dx), FloatVector.broadcast(GroupLanes.F, offset));
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseB, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            accB = scaled.fma(d, accB);
        }
        accA.intoArray(out, outOffset);
        accB.intoArray(out, outOffset + ROWS);
    }

    /**
     * Four streams at once pay on long rows (two threads from memory, against a bare read loop:
     * 4096 columns 0.79 against 0.59 for one group after another, 12288 0.90 against 0.62), one
     * stream on short ones, whose groups end before four streams get going (1408 columns, an
     * expert's down matrix: 1.0 against 0.82; 2048: 0.98 against 0.87).
     */
    @Override
    public void dotQuad(MemorySegment groups, long first, long groupBytes, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        if (groupBytes <= ONE_STREAM_UP_TO_BYTES) {
            dotOneAfterAnother(groups, first, groupBytes, x, xOffset, cols, out, outOffset);
            return;
        }
        int[] pairs = x.pairs(), nibbles = x.nibblePairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector accA = FloatVector.zero(GroupLanes.F), accB = accA, accC = accA, accD = accA;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long baseA = first + (long) b * GROUP_BLOCK_BYTES, baseB = baseA + groupBytes, baseC = baseB + groupBytes, baseD = baseC + groupBytes;
            int xp = (xOffset >> 1) + b * 16, yp = (xOffset >> 2) + b * 8;
            ShortVector sumA = ShortVector.zero(GroupLanes.S), sumB = sumA, sumC = sumA, sumD = sumA;
            for (int j = 0; j < 8; j++) {
                ShortVector lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[xp + j]).reinterpretShape(GroupLanes.S, 0);
                ShortVector hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[yp + j]).reinterpretShape(GroupLanes.S, 0);
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseA + QUANTS + j * runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                sumA = sumA.add(q.mul(lx)).add(q.lanewise(VectorOperators.LSHR, 4).mul(hx));
                q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseB + QUANTS + j * runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                sumB = sumB.add(q.mul(lx)).add(q.lanewise(VectorOperators.LSHR, 4).mul(hx));
                q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseC + QUANTS + j * runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                sumC = sumC.add(q.mul(lx)).add(q.lanewise(VectorOperators.LSHR, 4).mul(hx));
                q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseD + QUANTS + j * runBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                sumD = sumD.add(q.mul(lx)).add(q.lanewise(VectorOperators.LSHR, 4).mul(hx));
            }
            // per group as in dot
            int xb = (xOffset >> 5) + b;
            FloatVector dx = FloatVector.broadcast(GroupLanes.F, xd[xb]), offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            IntVector w = (IntVector) sumA.reinterpretShape(GroupLanes.I, 0);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseA, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accA = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f), accA);
            w = (IntVector) sumB.reinterpretShape(GroupLanes.I, 0);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseB, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accB = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f), accB);
            w = (IntVector) sumC.reinterpretShape(GroupLanes.I, 0);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseC, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accC = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f), accC);
            w = (IntVector) sumD.reinterpretShape(GroupLanes.I, 0);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseD, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accD = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f), accD);
        }
        accA.intoArray(out, outOffset);
        accB.intoArray(out, outOffset + ROWS);
        accC.intoArray(out, outOffset + 2 * ROWS);
        accD.intoArray(out, outOffset + 3 * ROWS);
    }

    @Override
    public void dot2(MemorySegment groups, long first, long second, QuantizedActivations x, int x0, int x1, int cols,
            float[] out, int o0, int o1) {
        int[] pairs = x.pairs(), nibbles = x.nibblePairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector accA0 = FloatVector.zero(GroupLanes.F), accA1 = accA0, accB0 = accA0, accB1 = accA0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long baseA = first + (long) b * GROUP_BLOCK_BYTES, baseB = second + (long) b * GROUP_BLOCK_BYTES;
            int p0 = (x0 >> 1) + b * 16, p1 = (x1 >> 1) + b * 16;
            int y0 = (x0 >> 2) + b * 8, y1 = (x1 >> 2) + b * 8;
            ShortVector sumA0 = ShortVector.zero(GroupLanes.S), sumA1 = sumA0, sumB0 = sumA0, sumB1 = sumA0;
            for (int j = 0; j < 8; j++) {
                ShortVector qA = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseA + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                ShortVector qB = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseB + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                ShortVector hiA = qA.lanewise(VectorOperators.LSHR, 4), hiB = qB.lanewise(VectorOperators.LSHR, 4);
                ShortVector lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[p0 + j]).reinterpretShape(GroupLanes.S, 0);
                ShortVector hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[y0 + j]).reinterpretShape(GroupLanes.S, 0);
                sumA0 = sumA0.add(qA.mul(lx)).add(hiA.mul(hx));
                sumB0 = sumB0.add(qB.mul(lx)).add(hiB.mul(hx));
                lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[p1 + j]).reinterpretShape(GroupLanes.S, 0);
                hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[y1 + j]).reinterpretShape(GroupLanes.S, 0);
                sumA1 = sumA1.add(qA.mul(lx)).add(hiA.mul(hx));
                sumB1 = sumB1.add(qB.mul(lx)).add(hiB.mul(hx));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseA, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dA = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseB, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dB = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            // per token and group as in dot
            int xb = (x0 >> 5) + b;
            FloatVector dx = FloatVector.broadcast(GroupLanes.F, xd[xb]), offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            IntVector w = (IntVector) sumA0.reinterpretShape(GroupLanes.I, 0);
            accA0 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dA, accA0);
            w = (IntVector) sumB0.reinterpretShape(GroupLanes.I, 0);
            accB0 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dB, accB0);
            xb = (x1 >> 5) + b;
            dx = FloatVector.broadcast(GroupLanes.F, xd[xb]);
            offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            w = (IntVector) sumA1.reinterpretShape(GroupLanes.I, 0);
            accA1 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dA, accA1);
            w = (IntVector) sumB1.reinterpretShape(GroupLanes.I, 0);
            accB1 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dB, accB1);
        }
        accA0.intoArray(out, o0);
        accB0.intoArray(out, o0 + ROWS);
        accA1.intoArray(out, o1);
        accB1.intoArray(out, o1 + ROWS);
    }

    @Override
    public void dot4(MemorySegment groups, long first, long second, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
            float[] out, int o0, int o1, int o2, int o3) {
        int[] pairs = x.pairs(), nibbles = x.nibblePairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector accA0 = FloatVector.zero(GroupLanes.F), accA1 = accA0, accA2 = accA0, accA3 = accA0;
        FloatVector accB0 = accA0, accB1 = accA0, accB2 = accA0, accB3 = accA0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_0); b < blocks; b++) {
            long baseA = first + (long) b * GROUP_BLOCK_BYTES, baseB = second + (long) b * GROUP_BLOCK_BYTES;
            int p0 = (x0 >> 1) + b * 16, p1 = (x1 >> 1) + b * 16, p2 = (x2 >> 1) + b * 16, p3 = (x3 >> 1) + b * 16;
            int y0 = (x0 >> 2) + b * 8, y1 = (x1 >> 2) + b * 8, y2 = (x2 >> 2) + b * 8, y3 = (x3 >> 2) + b * 8;
            ShortVector sumA0 = ShortVector.zero(GroupLanes.S), sumA1 = sumA0, sumA2 = sumA0, sumA3 = sumA0;
            ShortVector sumB0 = sumA0, sumB1 = sumA0, sumB2 = sumA0, sumB3 = sumA0;
            for (int j = 0; j < 8; j++) {
                ShortVector qA = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseA + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                ShortVector qB = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, baseB + QUANTS + PAIR_RUN * j, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                ShortVector hiA = qA.lanewise(VectorOperators.LSHR, 4), hiB = qB.lanewise(VectorOperators.LSHR, 4);
                ShortVector lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[p0 + j]).reinterpretShape(GroupLanes.S, 0);
                ShortVector hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[y0 + j]).reinterpretShape(GroupLanes.S, 0);
                sumA0 = sumA0.add(qA.mul(lx)).add(hiA.mul(hx));
                sumB0 = sumB0.add(qB.mul(lx)).add(hiB.mul(hx));
                lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[p1 + j]).reinterpretShape(GroupLanes.S, 0);
                hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[y1 + j]).reinterpretShape(GroupLanes.S, 0);
                sumA1 = sumA1.add(qA.mul(lx)).add(hiA.mul(hx));
                sumB1 = sumB1.add(qB.mul(lx)).add(hiB.mul(hx));
                lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[p2 + j]).reinterpretShape(GroupLanes.S, 0);
                hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[y2 + j]).reinterpretShape(GroupLanes.S, 0);
                sumA2 = sumA2.add(qA.mul(lx)).add(hiA.mul(hx));
                sumB2 = sumB2.add(qB.mul(lx)).add(hiB.mul(hx));
                lx = (ShortVector) IntVector.broadcast(GroupLanes.I, pairs[p3 + j]).reinterpretShape(GroupLanes.S, 0);
                hx = (ShortVector) IntVector.broadcast(GroupLanes.I, nibbles[y3 + j]).reinterpretShape(GroupLanes.S, 0);
                sumA3 = sumA3.add(qA.mul(lx)).add(hiA.mul(hx));
                sumB3 = sumB3.add(qB.mul(lx)).add(hiB.mul(hx));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseA, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dA = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseB, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dB = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            // per token and group as in dot: row sums, the block's activation scale and −8·Σx, the rows' scales
            int xb = (x0 >> 5) + b;
            FloatVector dx = FloatVector.broadcast(GroupLanes.F, xd[xb]), offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            IntVector w = (IntVector) sumA0.reinterpretShape(GroupLanes.I, 0);
            accA0 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dA, accA0);
            w = (IntVector) sumB0.reinterpretShape(GroupLanes.I, 0);
            accB0 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dB, accB0);
            xb = (x1 >> 5) + b;
            dx = FloatVector.broadcast(GroupLanes.F, xd[xb]);
            offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            w = (IntVector) sumA1.reinterpretShape(GroupLanes.I, 0);
            accA1 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dA, accA1);
            w = (IntVector) sumB1.reinterpretShape(GroupLanes.I, 0);
            accB1 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dB, accB1);
            xb = (x2 >> 5) + b;
            dx = FloatVector.broadcast(GroupLanes.F, xd[xb]);
            offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            w = (IntVector) sumA2.reinterpretShape(GroupLanes.I, 0);
            accA2 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dA, accA2);
            w = (IntVector) sumB2.reinterpretShape(GroupLanes.I, 0);
            accB2 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dB, accB2);
            xb = (x3 >> 5) + b;
            dx = FloatVector.broadcast(GroupLanes.F, xd[xb]);
            offset = FloatVector.broadcast(GroupLanes.F, -8f * xd[xb] * (sums[2 * xb] + sums[2 * xb + 1]));
            w = (IntVector) sumA3.reinterpretShape(GroupLanes.I, 0);
            accA3 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dA, accA3);
            w = (IntVector) sumB3.reinterpretShape(GroupLanes.I, 0);
            accB3 = ((FloatVector) w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                    .convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(dx, offset).fma(dB, accB3);
        }
        accA0.intoArray(out, o0);
        accB0.intoArray(out, o0 + ROWS);
        accA1.intoArray(out, o1);
        accB1.intoArray(out, o1 + ROWS);
        accA2.intoArray(out, o2);
        accB2.intoArray(out, o2 + ROWS);
        accA3.intoArray(out, o3);
        accB3.intoArray(out, o3 + ROWS);
    }
}
