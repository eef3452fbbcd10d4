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
 * Q6_K in groups of {@link #ROWS} rows. Per super-block column, as many bytes as the group's
 * blocks: the rows' fp16 d, their 16 signed group scales (group-major, a group's rows per scale),
 * then for each group of 16 values three vectors of two shorts a row, lane 2r+p for row r. With q_k the unsigned 6-bit quant
 * of value 2k+p of the group (k = 0..7), short S0 holds q0 in bits 0–5, q1 in 6–11 and the low
 * nibble of q6 in 12–15; S1 the same of q2, q3 and q7; S2 q4, q5 and the top two bits of q6 and of
 * q7. No field is masked out: each short is multiplied as it lies and shifted right by 6, 12 (and
 * for S2 14), each against a broadcast pair that takes away what the fields above added in the
 * previous product ({@link QuantizedActivations#computeSixBitFields}): ten products and seven
 * shifts per group, where signed fields cut out one by one took eight products and 18 operations
 * to unpack. The −32 of every quant enters once, as the sum's starting value −32·Σx. The shorts
 * wrap on the way, but a lane's true sum, eight products of at most 32·127, fits a short, so the
 * result is exact; its row sums, widened to ints, meet the group's scale. One thread in cache, one
 * token: 32.3 → 36.1 GMAC/s (with the sum as a tree, see {@link #dot}).
 *
 * <p>The one-token kernel touches a block column's scale lines at its start ({@link
 * RowGroupKernel#touchLines}): the model's Q6_K matrices streamed from memory for one token on
 * two threads, with and without the touch alternating in one process: 0.95–0.99 of the time.
 *
 * <p>The products broadcast the activation pairs as floats of the same bits: broadcast as ints,
 * C2 loaded most of them into general registers first and moved them across one by one.
 */
final class Q6KRowGroups implements RowGroupKernel.OneGroupAtATime, RowGroupKernel.Tiling {
    private static final int QL = 0, QH = 128, SCALES_AT = 192, D_AT = 208;
    private static final int SCALES = 2 * ROWS, QUANTS = SCALES + 16 * ROWS, VECTOR = 2 * 2 * ROWS, GROUP = 3 * VECTOR;
    private static final int GROUP_BLOCK_BYTES = QUANTS + 16 * GROUP, SCALE_LINES = 16 * ROWS / 64;
    static final Q6KRowGroups INSTANCE = new Q6KRowGroups();

    /** The bytes between groups of 16 values, read from a field: see {@link RowGroupKernel} on loop strides. */
    private final long groupStride;

    private Q6KRowGroups() {
        groupStride = GROUP;
    }

    /** Measured (ms for one expert matrix, dot4 against group tiles): 6 tokens: 1.10 against 1.20; 8: 1.53 against 1.25; 12: 2.21 against 1.66. */
    @Override
    public int tiledFromTokens() {
        return 8;
    }

    /**
     * A group of 16 values at a time, cut into q0..q7; v_k = q_k − 32's lanes 2r+p are values 2k+p
     * of the rows, widened to floats as they lie and scaled by each row's d·scale, as
     * {@link Q6KKernel#dequantize} scales.
     */
    @Override
    public void dequantize(MemorySegment groups, long group, int cols, float[] dst) {
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            for (int g = 0; g < 16; g++) {
                FloatVector scale = d.mul((FloatVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, GroupLanes.F, 0));
                FloatVector low = scale.rearrange(LOW_ROWS), high = scale.rearrange(HIGH_ROWS);
                long at = base + QUANTS + (long) g * GROUP;
                ShortVector s0 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at, ByteOrder.LITTLE_ENDIAN);
                ShortVector s1 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                ShortVector s2 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < 8; k++) {
                    ShortVector q = switch (k) {
                        case 0 -> s0.and((short) 0x3F);
                        case 1 -> s0.lanewise(VectorOperators.LSHR, 6).and((short) 0x3F);
                        case 2 -> s1.and((short) 0x3F);
                        case 3 -> s1.lanewise(VectorOperators.LSHR, 6).and((short) 0x3F);
                        case 4 -> s2.and((short) 0x3F);
                        case 5 -> s2.lanewise(VectorOperators.LSHR, 6).and((short) 0x3F);
                        case 6 -> s0.lanewise(VectorOperators.LSHR, 12).or(s2.lanewise(VectorOperators.LSHR, 12).and((short) 3).lanewise(VectorOperators.LSHL, 4));
                        default -> s1.lanewise(VectorOperators.LSHR, 12).or(s2.lanewise(VectorOperators.LSHR, 14).lanewise(VectorOperators.LSHL, 4));
                    };
                    ShortVector v = q.sub((short) 32);
                    int out = PAIR_RUN * (128 * b + 8 * g + k);
                    ((FloatVector) v.convertShape(VectorOperators.S2F, GroupLanes.F, 0)).mul(low).intoArray(dst, out);
                    ((FloatVector) v.convertShape(VectorOperators.S2F, GroupLanes.F, 1)).mul(high).intoArray(dst, out + ROWS);
                }
            }
        }
    }

    @Override
    public long groupBytes(int cols) {
        return (long) Blocks.of(cols, GgmlType.Q6_K) * GROUP_BLOCK_BYTES;
    }

    @Override
    public void pack(MemorySegment rows, long offset, long rowBytes, MemorySegment dst, long dstOffset, int cols) {
        int[] q = new int[8];
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long out = dstOffset + (long) b * GROUP_BLOCK_BYTES;
            for (int r = 0; r < ROWS; r++) {
                long block = offset + r * rowBytes + (long) b * GgmlType.Q6_K.blockBytes;
                dst.set(HalfFloats.LE_SHORT, out + 2 * r, rows.get(HalfFloats.LE_SHORT, block + D_AT));
                for (int g = 0; g < 16; g++) {
                    dst.set(ValueLayout.JAVA_BYTE, out + SCALES + g * ROWS + r, rows.get(ValueLayout.JAVA_BYTE, block + SCALES_AT + g));
                    long group = out + QUANTS + (long) g * GROUP;
                    for (int p = 0; p < 2; p++) {
                        for (int k = 0; k < 8; k++) q[k] = quant(rows, block, 16 * g + 2 * k + p);
                        long lane = 2L * (2 * r + p);
                        dst.set(HalfFloats.LE_SHORT, group + lane, (short) (q[0] | q[1] << 6 | (q[6] & 0xF) << 12));
                        dst.set(HalfFloats.LE_SHORT, group + VECTOR + lane, (short) (q[2] | q[3] << 6 | (q[7] & 0xF) << 12));
                        dst.set(HalfFloats.LE_SHORT, group + 2 * VECTOR + lane, (short) (q[4] | q[5] << 6 | q[6] >> 4 << 12 | q[7] >> 4 << 14));
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
    public void prepare(QuantizedActivations x) {
        x.computeSixBitFields();
    }

    @Override
    public void dot(MemorySegment groups, long group, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] fields = x.sixBitFields();
        float[] xd = x.scales();
        FloatVector acc = FloatVector.zero(GroupLanes.F);
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            // the scales' lines after their first, read one by one behind the quants' stream (see RowGroupKernel.touchLines)
            acc = acc.add(RowGroupKernel.touchLines(groups, base + SCALES + 64, SCALE_LINES - 1));
            int f = QuantizedActivations.SIX_BIT_FIELDS * ((xOffset >> 4) + 16 * b);
            IntVector scaled = IntVector.zero(GroupLanes.I);
            long at = base + QUANTS; // a running address, as in Q4KRowGroups.dot (AVX2, one thread in cache: 12.6–19.9 → 16.0–21.8 GMAC/s)
            for (int g = 0; g < 16; g++, f += QuantizedActivations.SIX_BIT_FIELDS, at += groupStride) {
                ShortVector s0 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at, ByteOrder.LITTLE_ENDIAN);
                ShortVector s1 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                ShortVector s2 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                // summed as a tree: a chain of ten adds per group held the out-of-order window (one thread in cache: 33.4 → 36.1 GMAC/s)
                ShortVector fromS0 = s0.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 1])).reinterpretShape(GroupLanes.S, 0))
                        .add(s0.lanewise(VectorOperators.LSHR, 6).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 2])).reinterpretShape(GroupLanes.S, 0)))
                        .add(s0.lanewise(VectorOperators.LSHR, 12).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 3])).reinterpretShape(GroupLanes.S, 0)).add(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f])).reinterpretShape(GroupLanes.S, 0)));
                ShortVector fromS1 = s1.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 4])).reinterpretShape(GroupLanes.S, 0))
                        .add(s1.lanewise(VectorOperators.LSHR, 6).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 5])).reinterpretShape(GroupLanes.S, 0)))
                        .add(s1.lanewise(VectorOperators.LSHR, 12).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 6])).reinterpretShape(GroupLanes.S, 0)));
                ShortVector fromS2 = s2.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 7])).reinterpretShape(GroupLanes.S, 0))
                        .add(s2.lanewise(VectorOperators.LSHR, 6).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 8])).reinterpretShape(GroupLanes.S, 0)))
                        .add(s2.lanewise(VectorOperators.LSHR, 12).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 9])).reinterpretShape(GroupLanes.S, 0)).add(s2.lanewise(VectorOperators.LSHR, 14).mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 10])).reinterpretShape(GroupLanes.S, 0))));
                ShortVector sum = fromS0.add(fromS1).add(fromS2);
                // lanes 2r and 2r+1 into int lane r (their sum can exceed a short), times row r's group scale
                IntVector w = (IntVector) sum.reinterpretShape(GroupLanes.I, 0);
                IntVector rowSums = w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16));
                scaled = scaled.add(rowSums.mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, GroupLanes.I, 0)));
            }
            // the rows' fp16 d widened in the lanes (see Q4_0RowGroups), inline so nothing is boxed
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            acc = ((FloatVector) scaled.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(xOffset >> 8) + b]), acc);
        }
        acc.intoArray(out, outOffset);
    }

    /**
     * Four groups at once, each broadcast field meeting all four: two threads from memory (32768 ×
     * 4096, AVX2) 21–26 GMAC/s against 17–20 for one group after another, about the same in cache.
     * Each short vector goes through all four groups before the next (S0, then S1, then S2), so
     * that four broadcasts at a time are live, not eleven: with the whole of {@link #dot} written
     * out per group the registers spilled (0.9 of one group at a time in cache).
     */
    @Override
    public void dotQuad(MemorySegment groups, long first, long groupBytes, QuantizedActivations x, int xOffset, int cols, float[] out, int outOffset) {
        int[] fields = x.sixBitFields();
        float[] xd = x.scales();
        FloatVector accA = FloatVector.zero(GroupLanes.F), accB = accA, accC = accA, accD = accA;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long baseA = first + (long) b * GROUP_BLOCK_BYTES, baseB = baseA + groupBytes, baseC = baseB + groupBytes, baseD = baseC + groupBytes;
            // as in dot, for each group
            accA = accA.add(RowGroupKernel.touchLines(groups, baseA + SCALES + 64, SCALE_LINES - 1));
            accB = accB.add(RowGroupKernel.touchLines(groups, baseB + SCALES + 64, SCALE_LINES - 1));
            accC = accC.add(RowGroupKernel.touchLines(groups, baseC + SCALES + 64, SCALE_LINES - 1));
            accD = accD.add(RowGroupKernel.touchLines(groups, baseD + SCALES + 64, SCALE_LINES - 1));
            int f = QuantizedActivations.SIX_BIT_FIELDS * ((xOffset >> 4) + 16 * b);
            IntVector scaledA = IntVector.zero(GroupLanes.I), scaledB = scaledA, scaledC = scaledA, scaledD = scaledA;
            long at = QUANTS;
            for (int g = 0; g < 16; g++, f += QuantizedActivations.SIX_BIT_FIELDS, at += groupStride) {
                ShortVector start = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 0])).reinterpretShape(GroupLanes.S, 0), x0 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 1])).reinterpretShape(GroupLanes.S, 0), x6 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 2])).reinterpretShape(GroupLanes.S, 0), x12 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 3])).reinterpretShape(GroupLanes.S, 0);
                ShortVector s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseA + at, ByteOrder.LITTLE_ENDIAN);
                ShortVector sumA = s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(start));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseB + at, ByteOrder.LITTLE_ENDIAN);
                ShortVector sumB = s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(start));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseC + at, ByteOrder.LITTLE_ENDIAN);
                ShortVector sumC = s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(start));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseD + at, ByteOrder.LITTLE_ENDIAN);
                ShortVector sumD = s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(start));
                x0 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 4])).reinterpretShape(GroupLanes.S, 0);
                x6 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 5])).reinterpretShape(GroupLanes.S, 0);
                x12 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 6])).reinterpretShape(GroupLanes.S, 0);
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseA + at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumA = sumA.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12)));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseB + at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumB = sumB.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12)));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseC + at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumC = sumC.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12)));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseD + at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumD = sumD.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6)).add(s.lanewise(VectorOperators.LSHR, 12).mul(x12)));
                x0 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 7])).reinterpretShape(GroupLanes.S, 0);
                x6 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 8])).reinterpretShape(GroupLanes.S, 0);
                x12 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 9])).reinterpretShape(GroupLanes.S, 0);
                ShortVector x14 = (ShortVector) FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f + 10])).reinterpretShape(GroupLanes.S, 0);
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseA + at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumA = sumA.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6))
                        .add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(s.lanewise(VectorOperators.LSHR, 14).mul(x14))));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseB + at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumB = sumB.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6))
                        .add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(s.lanewise(VectorOperators.LSHR, 14).mul(x14))));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseC + at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumC = sumC.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6))
                        .add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(s.lanewise(VectorOperators.LSHR, 14).mul(x14))));
                s = ShortVector.fromMemorySegment(GroupLanes.S, groups, baseD + at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                sumD = sumD.add(s.mul(x0).add(s.lanewise(VectorOperators.LSHR, 6).mul(x6))
                        .add(s.lanewise(VectorOperators.LSHR, 12).mul(x12).add(s.lanewise(VectorOperators.LSHR, 14).mul(x14))));
                IntVector w = (IntVector) sumA.reinterpretShape(GroupLanes.I, 0);
                scaledA = scaledA.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                        .mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, baseA + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2I, GroupLanes.I, 0)));
                w = (IntVector) sumB.reinterpretShape(GroupLanes.I, 0);
                scaledB = scaledB.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                        .mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, baseB + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2I, GroupLanes.I, 0)));
                w = (IntVector) sumC.reinterpretShape(GroupLanes.I, 0);
                scaledC = scaledC.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                        .mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, baseC + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2I, GroupLanes.I, 0)));
                w = (IntVector) sumD.reinterpretShape(GroupLanes.I, 0);
                scaledD = scaledD.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16))
                        .mul((IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, baseD + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2I, GroupLanes.I, 0)));
            }
            FloatVector dx = FloatVector.broadcast(GroupLanes.F, xd[(xOffset >> 8) + b]);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseA, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accA = ((FloatVector) scaledA.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accA);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseB, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accB = ((FloatVector) scaledB.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accB);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseC, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accC = ((FloatVector) scaledC.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
                    .mul(((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f)).fma(dx, accC);
            h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, baseD, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            accD = ((FloatVector) scaledD.convertShape(VectorOperators.I2F, GroupLanes.F, 0))
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
        dot2One(groups, group, x, x0, x1, cols, out, o0, o1);
        dot2One(groups, group, x, x2, x3, cols, out, o2, o3);
    }

    @Override
    public void dot2(MemorySegment groups, long first, long second, QuantizedActivations x, int x0, int x1, int cols,
            float[] out, int o0, int o1) {
        dot2One(groups, first, x, x0, x1, cols, out, o0, o1);
        dot2One(groups, second, x, x0, x1, cols, out, o0 + ROWS, o1 + ROWS);
    }

    /**
     * {@link #dot} for two tokens, bit for bit the same results: here the quants are cut out once
     * for both, 17 operations, and meet the plain pairs (eight products a token, not ten). Four
     * tokens go through it twice: unpacked once for all four, the eight values and four sums left
     * too few registers (measured 25 against 32 GMAC/s with signed fields).
     */
    private static void dot2One(MemorySegment groups, long group, QuantizedActivations x, int x0, int x1, int cols, float[] out, int o0, int o1) {
        int[] pairs = x.pairs(), fields = x.sixBitFields();
        float[] xd = x.scales();
        FloatVector acc0 = FloatVector.zero(GroupLanes.F), acc1 = acc0;
        for (int b = 0, blocks = Blocks.of(cols, GgmlType.Q6_K); b < blocks; b++) {
            long base = group + (long) b * GROUP_BLOCK_BYTES;
            int f0 = QuantizedActivations.SIX_BIT_FIELDS * ((x0 >> 4) + 16 * b), f1 = QuantizedActivations.SIX_BIT_FIELDS * ((x1 >> 4) + 16 * b);
            int p0 = (x0 >> 1) + b * 128, p1 = (x1 >> 1) + b * 128;
            IntVector scaled0 = IntVector.zero(GroupLanes.I), scaled1 = scaled0;
            for (int g = 0; g < 16; g++, f0 += QuantizedActivations.SIX_BIT_FIELDS, f1 += QuantizedActivations.SIX_BIT_FIELDS, p0 += 8, p1 += 8) {
                long at = base + QUANTS + (long) g * GROUP;
                ShortVector s0 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at, ByteOrder.LITTLE_ENDIAN);
                ShortVector s1 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at + VECTOR, ByteOrder.LITTLE_ENDIAN);
                ShortVector s2 = ShortVector.fromMemorySegment(GroupLanes.S, groups, at + 2 * VECTOR, ByteOrder.LITTLE_ENDIAN);
                ShortVector q0 = s0.and((short) 0x3F), q1 = s0.lanewise(VectorOperators.LSHR, 6).and((short) 0x3F);
                ShortVector q2 = s1.and((short) 0x3F), q3 = s1.lanewise(VectorOperators.LSHR, 6).and((short) 0x3F);
                ShortVector q4 = s2.and((short) 0x3F), q5 = s2.lanewise(VectorOperators.LSHR, 6).and((short) 0x3F);
                ShortVector q6 = s0.lanewise(VectorOperators.LSHR, 12).or(s2.lanewise(VectorOperators.LSHR, 8).and((short) 0x30));
                ShortVector q7 = s1.lanewise(VectorOperators.LSHR, 12).or(s2.lanewise(VectorOperators.LSHR, 10).and((short) 0x30));
                ShortVector sum0 = q0.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 0])).reinterpretShape(GroupLanes.S, 0)).add(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f0])).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 1])).reinterpretShape(GroupLanes.S, 0)).add(q2.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 2])).reinterpretShape(GroupLanes.S, 0))))
                        .add(q3.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 3])).reinterpretShape(GroupLanes.S, 0)).add(q4.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 4])).reinterpretShape(GroupLanes.S, 0))).add(q5.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 5])).reinterpretShape(GroupLanes.S, 0)).add(q6.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 6])).reinterpretShape(GroupLanes.S, 0)))))
                        .add(q7.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p0 + 7])).reinterpretShape(GroupLanes.S, 0)));
                ShortVector sum1 = q0.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 0])).reinterpretShape(GroupLanes.S, 0)).add(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(fields[f1])).reinterpretShape(GroupLanes.S, 0))
                        .add(q1.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 1])).reinterpretShape(GroupLanes.S, 0)).add(q2.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 2])).reinterpretShape(GroupLanes.S, 0))))
                        .add(q3.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 3])).reinterpretShape(GroupLanes.S, 0)).add(q4.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 4])).reinterpretShape(GroupLanes.S, 0))).add(q5.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 5])).reinterpretShape(GroupLanes.S, 0)).add(q6.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 6])).reinterpretShape(GroupLanes.S, 0)))))
                        .add(q7.mul(FloatVector.broadcast(GroupLanes.F, Float.intBitsToFloat(pairs[p1 + 7])).reinterpretShape(GroupLanes.S, 0)));
                IntVector scale = (IntVector) ByteVector.fromMemorySegment(GroupLanes.ROW_BYTES, groups, base + SCALES + g * ROWS, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, GroupLanes.I, 0);
                // per token as in dot: lanes 2r and 2r+1 into int lane r, times row r's group scale
                IntVector w = (IntVector) sum0.reinterpretShape(GroupLanes.I, 0);
                scaled0 = scaled0.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16)).mul(scale));
                w = (IntVector) sum1.reinterpretShape(GroupLanes.I, 0);
                scaled1 = scaled1.add(w.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(w.lanewise(VectorOperators.ASHR, 16)).mul(scale));
            }
            IntVector h = (IntVector) ShortVector.fromMemorySegment(GroupLanes.ROW_SHORTS, groups, base, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, GroupLanes.I, 0);
            FloatVector d = ((FloatVector) h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretShape(GroupLanes.F, 0)).mul(0x1p112f);
            acc0 = ((FloatVector) scaled0.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(x0 >> 8) + b]), acc0);
            acc1 = ((FloatVector) scaled1.convertShape(VectorOperators.I2F, GroupLanes.F, 0)).mul(d).fma(FloatVector.broadcast(GroupLanes.F, xd[(x1 >> 8) + b]), acc1);
        }
        acc0.intoArray(out, o0);
        acc1.intoArray(out, o1);
    }
}
