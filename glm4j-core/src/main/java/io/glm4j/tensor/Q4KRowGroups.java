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
 * Q4_K in groups of {@link #ROWS} rows. Per super-block column, 148 bytes a row (144 stored): the
 * rows' fp16 d and dmin, their 6-bit scales and mins unpacked to one byte each (sub-block-major, a
 * group's rows per sub-block), then the quants in four runs of 32 bytes a row, as stored: run c
 * holds sub-block 2c in its low nibbles and 2c+1 in its high ones. Each run is cut into 16 pieces,
 * piece k holding bytes 2k and 2k+1 of every row, so lane 2r+p of a piece meets the broadcast activation
 * pair of value 2k+p (low nibble) or 32+2k+p (high nibble). A sub-block's sixteen products of at
 * most 15·127 fit a short lane; its row sums, widened to ints, meet their row's 6-bit scale.
 *
 * <p>A block column's head (d, dmin, minima; the scales' lines touched, see
 * {@link RowGroupKernel#touchLines}) is read before its quants: read after them, its lines lie
 * behind the hardware prefetcher's ascending stream and each one misses on its own. The model's
 * Q4_K matrices streamed from memory for one token on two threads, the two orders alternating in
 * one process: 0.925–0.94 of the time. In cache no change.
 *
 * <p>With AVX-512 faster than float tiles at every batch size (ms for one expert matrix, groups
 * against tiles: 4 tokens: 0.40 ms against 0.99 tiled; 64 tokens: 6.2 against 7.9). With AVX2 the
 * tiles win from {@link #tiledFromTokens} tokens.
 */
final class Q4KRowGroups implements RowGroupKernel.OneGroupAtATime, RowGroupKernel.Tiling {
    private static final int BLOCK_BYTES = 144, SCALES_AT = 4, QUANTS_AT = 16;
    private static final int DMIN = 2 * ROWS, SCALES = 4 * ROWS, MINS = SCALES + 8 * ROWS, QUANTS = MINS + 8 * ROWS;
    private static final int GROUP_BLOCK_BYTES = QUANTS + 128 * ROWS, SCALE_LINES = 8 * ROWS / 64;
    private static final ValueLayout.OfShort LE_SHORT = HalfFloats.LE_SHORT;
    static final Q4KRowGroups INSTANCE = new Q4KRowGroups();

    /** The bytes between a run's pieces and between sub-blocks' minima, read from fields (see {@link RowGroupKernel} on loop strides). */
    private final long pieceBytes, rowBytes;

    private Q4KRowGroups() {
        pieceBytes = PAIR_RUN;
        rowBytes = ROWS;
    }

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q4_K) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_K); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * BLOCK_BYTES;
                dst.set(LE_SHORT, out + 2 * r, rows.get(LE_SHORT, block));
                dst.set(LE_SHORT, out + DMIN + 2 * r, rows.get(LE_SHORT, block + 2));
                for (int j = 0; j < 8; j++) {
                    dst.set(ValueLayout.JAVA_BYTE, out + SCALES + j * ROWS + r, (byte) KQuantScales.scale(rows, block + SCALES_AT, j));
                    dst.set(ValueLayout.JAVA_BYTE, out + MINS + j * ROWS + r, (byte) KQuantScales.min(rows, block + SCALES_AT, j));
                }
                for (int c = 0; c < 4; c++) {
                    for (int k = 0; k < 16; k++) {
                        dst.set(LE_SHORT, out + QUANTS + c * 32 * ROWS + k * PAIR_RUN + 2 * r, rows.get(LE_SHORT, block + QUANTS_AT + 32 * c + 2 * k));
                    }
                }
            }
        }
    }

    /**
     * AVX2, one thread, a 1024 × 4096 matrix, groups and tiles alternating in one process, median
     * GMAC/s groups against tiles: 8 tokens 23.6 against 16.6; 12: 24.7 against 23.3; 16: 25.2
     * against 25.6; 32: 24.9 against 28.2; 64: 23.5 against 29.9. With AVX-512 never (see above).
     */
    @Override
    public int tiledFromTokens() {
        return ROWS == 16 ? Integer.MAX_VALUE : 16;
    }

    /**
     * Each piece's low and high nibbles widened to floats as they lie (lanes 2r+p), times their rows'
     * d·scale less dmin·min of their sub-block, in one fused step as {@link Q4KKernel#dequantize}
     * takes it.
     */
    @Override
    public void dequantize(MemorySegment groups, long group, int cols, float[] dst) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base + DMIN, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dmin = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            for (int c = 0; c < 4; c++) {
                // sub-blocks 2c (low nibbles) and 2c+1 (high): each row's d·scale and −dmin·min,
                // spread over its two lanes
                FloatVector scale = d.mul((FloatVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + 2 * c * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, GroupLanes.F, 0));
                FloatVector min = dmin.mul((FloatVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + MINS + 2 * c * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, GroupLanes.F, 0)).neg();
                FloatVector lowScale0 = scale.rearrange(LOW_ROWS), lowScale1 = scale.rearrange(HIGH_ROWS), lowMin0 = min.rearrange(LOW_ROWS), lowMin1 = min.rearrange(HIGH_ROWS);
                scale = d.mul((FloatVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + (2 * c + 1) * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, GroupLanes.F, 0));
                min = dmin.mul((FloatVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + MINS + (2 * c + 1) * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, GroupLanes.F, 0)).neg();
                FloatVector highScale0 = scale.rearrange(LOW_ROWS), highScale1 = scale.rearrange(HIGH_ROWS), highMin0 = min.rearrange(LOW_ROWS), highMin1 = min.rearrange(HIGH_ROWS);
                for (int k = 0; k < 16; k++) {
                    // the run's halves (rows below and from ROWS/2) read apart, each byte straight into an int lane
                    long run = base + QUANTS + c * 32 * ROWS + k * PAIR_RUN;
                    IntVector first = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, run, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                    IntVector second = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, run + ROWS, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                    int out = PAIR_RUN * (128 * b + 32 * c + k);
                    ((FloatVector) first.and(0xF).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(lowScale0, lowMin0).intoArray(dst, out);
                    ((FloatVector) second.and(0xF).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(lowScale1, lowMin1).intoArray(dst, out + ROWS);
                    ((FloatVector) first.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(highScale0, highMin0).intoArray(dst, out + 16 * PAIR_RUN);
                    ((FloatVector) second.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.I2F, GroupLanes.F, 0)).fma(highScale1, highMin1).intoArray(dst, out + 16 * PAIR_RUN + ROWS);
                }
            }
        }
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc = FloatVector.zero(GroupLanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int xp = (xOffset >> 1) + b * 128;
            float dx = xd[(xOffset >> 8) + b];
            // the block column's head in address order, before its quants (see the class comment); the rows' fp16 d
            // and dmin widened in the lanes (see Q4_0RowGroups), inline so nothing is boxed
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base + DMIN, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dmin = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            // Σ_j min_rj · (sum of the activation quants of sub-block j)
            int xs = (xOffset >> 4) + b * 16;
            IntVector mins = IntVector.zero(GroupLanes.I);
            for (int j = 0; j < 8; j++) {
                mins = mins.add(((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + MINS + j * rowBytes, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0)).mul(sums[xs + 2 * j] + sums[xs + 2 * j + 1]));
            }
            acc = acc.add(RowGroupKernel.touchLines(groups, base + SCALES, SCALE_LINES)); // the scales' lines, read during the quants
            IntVector scaled = IntVector.zero(GroupLanes.I);
            for (int c = 0; c < 4; c++) {
                ShortVector low = ShortVector.zero(GroupLanes.S), high = low;
                // a running address: k times the stride cost a multiply a piece (AVX2, one thread in cache: 18.9 → 21.0–21.5 GMAC/s)
                long at = base + QUANTS + c * 32 * ROWS;
                for (int k = 0; k < 16; k++, at += pieceBytes) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, at, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                    low = low.add(q.and((short) 0xF).mul(IntVector.broadcast(GroupLanes.I, pairs[xp + 32 * c + k]).reinterpretShape(GroupLanes.S, 0)));
                    high = high.add(q.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(GroupLanes.I, pairs[xp + 32 * c + 16 + k]).reinterpretShape(GroupLanes.S, 0)));
                }
                // lanes 2r and 2r+1 into int lane r (their sum can exceed a short), times row r's scale
                IntVector w = (IntVector) low.reinterpretShape(GroupLanes.I, 0);
                IntVector rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
                scaled = scaled.add(rowSums.mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + 2 * c * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0)));
                w = (IntVector) high.reinterpretShape(GroupLanes.I, 0);
                rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
                scaled = scaled.add(rowSums.mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + (2 * c + 1) * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0)));
            }
            acc = ((FloatVector) scaled.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, dx), acc);
            acc = ((FloatVector) mins.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(dmin).fma(FloatVector.broadcast(GroupLanes.F, -dx), acc);
        }
        acc.intoArray(out, outOffset);
    }
    @Override
    public void dot4One(MemorySegment groups, long group, QuantizedActivations x, int x0, int x1, int x2, int x3, int cols,
            float[] out, int o0, int o1, int o2, int o3) {
        int[] pairs = x.pairs();
        float[] xd = x.scales();
        int[] sums = x.sums16();
        FloatVector acc0 = FloatVector.zero(GroupLanes.F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q4_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int p0 = (x0 >> 1) + b * 128, p1 = (x1 >> 1) + b * 128, p2 = (x2 >> 1) + b * 128, p3 = (x3 >> 1) + b * 128;
            // the block column's head first, as in dot
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base + DMIN, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector dmin = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            int s0 = (x0 >> 4) + b * 16, s1 = (x1 >> 4) + b * 16, s2 = (x2 >> 4) + b * 16, s3 = (x3 >> 4) + b * 16;
            IntVector mins0 = IntVector.zero(GroupLanes.I), mins1 = mins0, mins2 = mins0, mins3 = mins0;
            for (int j = 0; j < 8; j++) {
                IntVector m = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + MINS + j * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                mins0 = mins0.add(m.mul(sums[s0 + 2 * j] + sums[s0 + 2 * j + 1]));
                mins1 = mins1.add(m.mul(sums[s1 + 2 * j] + sums[s1 + 2 * j + 1]));
                mins2 = mins2.add(m.mul(sums[s2 + 2 * j] + sums[s2 + 2 * j + 1]));
                mins3 = mins3.add(m.mul(sums[s3 + 2 * j] + sums[s3 + 2 * j + 1]));
            }
            IntVector scaled0 = IntVector.zero(GroupLanes.I), scaled1 = scaled0, scaled2 = scaled0, scaled3 = scaled0;
            for (int c = 0; c < 4; c++) {
                ShortVector low0 = ShortVector.zero(GroupLanes.S), low1 = low0, low2 = low0, low3 = low0;
                ShortVector high0 = low0, high1 = low0, high2 = low0, high3 = low0;
                for (int k = 0; k < 16; k++) {
                    ShortVector q = (ShortVector) ByteVector.fromMemorySegment(GroupLanes.PAIR_BYTES, groups, base + QUANTS + c * 32 * ROWS + k * PAIR_RUN, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, GroupLanes.S, 0);
                    ShortVector lo = q.and((short) 0xF), hi = q.lanewise(VectorOperators.LSHR, 4);
                    int lp = 32 * c + k, hp = 32 * c + 16 + k;
                    low0 = low0.add(lo.mul(IntVector.broadcast(GroupLanes.I, pairs[p0 + lp]).reinterpretShape(GroupLanes.S, 0)));
                    high0 = high0.add(hi.mul(IntVector.broadcast(GroupLanes.I, pairs[p0 + hp]).reinterpretShape(GroupLanes.S, 0)));
                    low1 = low1.add(lo.mul(IntVector.broadcast(GroupLanes.I, pairs[p1 + lp]).reinterpretShape(GroupLanes.S, 0)));
                    high1 = high1.add(hi.mul(IntVector.broadcast(GroupLanes.I, pairs[p1 + hp]).reinterpretShape(GroupLanes.S, 0)));
                    low2 = low2.add(lo.mul(IntVector.broadcast(GroupLanes.I, pairs[p2 + lp]).reinterpretShape(GroupLanes.S, 0)));
                    high2 = high2.add(hi.mul(IntVector.broadcast(GroupLanes.I, pairs[p2 + hp]).reinterpretShape(GroupLanes.S, 0)));
                    low3 = low3.add(lo.mul(IntVector.broadcast(GroupLanes.I, pairs[p3 + lp]).reinterpretShape(GroupLanes.S, 0)));
                    high3 = high3.add(hi.mul(IntVector.broadcast(GroupLanes.I, pairs[p3 + hp]).reinterpretShape(GroupLanes.S, 0)));
                }
                IntVector scaleLow = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + 2 * c * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                IntVector scaleHigh = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + (2 * c + 1) * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, GroupLanes.I, 0);
                // per token as in dot: lanes 2r and 2r+1 into int lane r, times row r's scale
                IntVector wl = ((IntVector) low0.reinterpretShape(GroupLanes.I, 0)), wh = (IntVector) high0.reinterpretShape(GroupLanes.I, 0);
                scaled0 = scaled0.add(wl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wl.lanewise(VectorOperators.ASHR, 16)).mul(scaleLow))
                        .add(wh.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wh.lanewise(VectorOperators.ASHR, 16)).mul(scaleHigh));
                wl = (IntVector) low1.reinterpretShape(GroupLanes.I, 0);
                wh = (IntVector) high1.reinterpretShape(GroupLanes.I, 0);
                scaled1 = scaled1.add(wl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wl.lanewise(VectorOperators.ASHR, 16)).mul(scaleLow))
                        .add(wh.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wh.lanewise(VectorOperators.ASHR, 16)).mul(scaleHigh));
                wl = (IntVector) low2.reinterpretShape(GroupLanes.I, 0);
                wh = (IntVector) high2.reinterpretShape(GroupLanes.I, 0);
                scaled2 = scaled2.add(wl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wl.lanewise(VectorOperators.ASHR, 16)).mul(scaleLow))
                        .add(wh.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wh.lanewise(VectorOperators.ASHR, 16)).mul(scaleHigh));
                wl = (IntVector) low3.reinterpretShape(GroupLanes.I, 0);
                wh = (IntVector) high3.reinterpretShape(GroupLanes.I, 0);
                scaled3 = scaled3.add(wl.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wl.lanewise(VectorOperators.ASHR, 16)).mul(scaleLow))
                        .add(wh.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(wh.lanewise(VectorOperators.ASHR, 16)).mul(scaleHigh));
            }
            float dx = xd[(x0 >> 8) + b];
            acc0 = ((FloatVector) scaled0.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, dx), acc0);
            acc0 = ((FloatVector) mins0.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(dmin).fma(FloatVector.broadcast(GroupLanes.F, -dx), acc0);
            dx = xd[(x1 >> 8) + b];
            acc1 = ((FloatVector) scaled1.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, dx), acc1);
            acc1 = ((FloatVector) mins1.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(dmin).fma(FloatVector.broadcast(GroupLanes.F, -dx), acc1);
            dx = xd[(x2 >> 8) + b];
            acc2 = ((FloatVector) scaled2.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, dx), acc2);
            acc2 = ((FloatVector) mins2.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(dmin).fma(FloatVector.broadcast(GroupLanes.F, -dx), acc2);
            dx = xd[(x3 >> 8) + b];
            acc3 = ((FloatVector) scaled3.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, dx), acc3);
            acc3 = ((FloatVector) mins3.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(dmin).fma(FloatVector.broadcast(GroupLanes.F, -dx), acc3);
        }
        acc0.intoArray(out, o0);
        acc1.intoArray(out, o1);
        acc2.intoArray(out, o2);
        acc3.intoArray(out, o3);
    }
}
